import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { PLATFORM_ORG_ID } from '@audience-hub/contracts';
import type { AuthenticatedRequest, Principal } from '@audience-hub/auth';

/** Who does a privileged action, and the trace it belongs to. */
export interface AuditActor {
  clientId: string;
  orgId: string;
  /** W3C trace id (32 hex): the request's traceparent's, else a new one. */
  traceId: string;
}

/** The IMS's own start-up work (the bootstrap org and account), done by no caller. */
export function systemActor(name: string): AuditActor {
  return { clientId: `system:${name}`, orgId: PLATFORM_ORG_ID, traceId: newTraceId() };
}

export function actorOf(principal: Principal, headers: Record<string, string | string[] | undefined>): AuditActor {
  return { clientId: principal.clientId, orgId: principal.orgId, traceId: traceIdOf(headers.traceparent) };
}

/** The trace id of a W3C traceparent header, or a new trace id when there is none (or it is malformed). */
export function traceIdOf(traceparent: string | string[] | undefined): string {
  const match = typeof traceparent === 'string' ? /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent.trim()) : null;
  return match && !/^0+$/.test(match[1]) ? match[1] : newTraceId();
}

const newTraceId = () => randomBytes(16).toString('hex');

/** The verified caller of this request as an audit actor (routes that record privileged actions). */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): AuditActor => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
  if (!request.principal) throw new Error('Actor used on a public route');
  return actorOf(request.principal, request.headers);
});
