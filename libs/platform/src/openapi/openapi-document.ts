import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { z } from 'zod';
import { ProblemSchema } from '@audience-hub/contracts';
import type { ServiceDescriptor } from '../service-descriptor';

/** The name of the security scheme: an IMS access token of the client credentials grant, whose scopes routes require. */
export const IMS_SECURITY = 'ims';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * The service's OpenAPI document, from its controllers' DTOs and @ApiRoute: nestjs-zod's schemas
 * cleaned up, the shared `Problem` schema, and each route's scopes named in its description.
 */
export function buildOpenApiDocument(app: INestApplication, descriptor: ServiceDescriptor): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(descriptor.title)
    .setDescription(descriptor.description)
    .setOpenAPIVersion('3.1.0')
    .setVersion('1')
    .addOAuth2({ type: 'oauth2', description: 'An IMS access token (client credentials grant), sent as `Authorization: Bearer <token>`', flows: {} }, IMS_SECURITY)
    .build();
  const document = cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, Problem: problemSchema() };
  const scopes = new Set<string>();
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (!operation) continue;
      const required = (operation.security ?? []).flatMap((requirement) => requirement[IMS_SECURITY] ?? []);
      required.forEach((scope) => scopes.add(scope));
      if (required.length > 0) {
        const sentence = `Requires the scope${required.length > 1 ? 's' : ''} ${required.map((scope) => `\`${scope}\``).join(' and ')}.`;
        operation.description = operation.description ? `${operation.description}\n\n${sentence}` : sentence;
      }
    }
  }
  document.components.securitySchemes = {
    [IMS_SECURITY]: {
      type: 'oauth2',
      description: 'An IMS access token (client credentials grant at the IMS service), sent as `Authorization: Bearer <token>`',
      flows: { clientCredentials: { tokenUrl: '/ims/token/v3', scopes: Object.fromEntries([...scopes].sort().map((scope) => [scope, `Routes that require ${scope}`])) } },
    },
  };
  return document;
}

function problemSchema(): Record<string, unknown> {
  const { $schema: _schema, ...schema } = z.toJSONSchema(ProblemSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return schema;
}
