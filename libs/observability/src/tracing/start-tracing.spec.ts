import { startTracing } from './start-tracing';
import { activeTraceparent, inSpan, isTracingEnabled, withTraceparent } from './spans';

const mockRegister = jest.fn(() => ({ forceFlush: async () => undefined }));
let mockSdkLoaded = false;
jest.mock('./tracer-provider', () => {
  mockSdkLoaded = true;
  return { registerTracerProvider: mockRegister };
});

describe('startTracing', () => {
  it('off by default, with an exporter of none, or with an invalid variable: the SDK is not even loaded', async () => {
    startTracing('audience-import', {});
    startTracing('audience-import', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    startTracing('audience-import', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' });
    expect(mockSdkLoaded).toBe(false);
    expect(isTracingEnabled()).toBe(false);
    // The helpers the hot paths call do nothing then.
    expect(activeTraceparent()).toBeUndefined();
    expect(withTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', () => 'done')).toBe('done');
    await expect(inSpan('work', { traceparents: [] }, async () => 42)).resolves.toBe(42);
  });

  it('with OTEL_TRACES_EXPORTER=otlp, registers the SDK with the parsed configuration', () => {
    startTracing('audience-import', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_BSP_SCHEDULE_DELAY: '100' });
    expect(mockSdkLoaded).toBe(true);
    expect(isTracingEnabled()).toBe(true);
    expect(mockRegister).toHaveBeenCalledWith('audience-import', {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER_ARG: 1,
      OTEL_BSP_SCHEDULE_DELAY: 100,
    });
  });
});
