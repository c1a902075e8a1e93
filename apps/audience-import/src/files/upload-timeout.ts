import type { Server } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SERVICE_CONFIG } from '@audience-hub/platform';
import type { ImportConfig } from '../config';

/**
 * An uploaded file is read as it is applied (its body waits while a chunk is resolved), so
 * receiving a big file takes as long as importing it. Node's HTTP server gives up on a request
 * not received whole within `requestTimeout` (300 s by default) and resets the connection: a
 * ten-million-line file was cut off that way. The service's limit is IMPORT_UPLOAD_TIMEOUT_MS
 * instead (the headers still have to arrive within Node's `headersTimeout`).
 */
@Injectable()
export class UploadTimeout implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SERVICE_CONFIG) private readonly config: ImportConfig,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server) server.requestTimeout = this.config.IMPORT_UPLOAD_TIMEOUT_MS;
  }
}
