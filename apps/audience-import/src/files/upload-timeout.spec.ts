import { createServer } from 'node:http';
import type { HttpAdapterHost } from '@nestjs/core';
import type { ImportConfig } from '../config';
import { UploadTimeout } from './upload-timeout';

describe('UploadTimeout', () => {
  it("replaces Node's 300 s limit on receiving a request with IMPORT_UPLOAD_TIMEOUT_MS", () => {
    const server = createServer();
    expect(server.requestTimeout).toBe(300_000);
    const host = { httpAdapter: { getHttpServer: () => server } } as unknown as HttpAdapterHost;
    new UploadTimeout(host, { IMPORT_UPLOAD_TIMEOUT_MS: 3_600_000 } as ImportConfig).onApplicationBootstrap();
    expect(server.requestTimeout).toBe(3_600_000);
    new UploadTimeout(host, { IMPORT_UPLOAD_TIMEOUT_MS: 0 } as ImportConfig).onApplicationBootstrap();
    expect(server.requestTimeout).toBe(0);
  });
});
