import { AuditRecordedDataSchema, exampleData } from '@audience-hub/contracts';
import { traceIdOf } from './audit-actor';

describe('traceIdOf', () => {
  it("takes the trace id of the request's traceparent", () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([[undefined], [''], ['garbage'], ['00-00000000000000000000000000000000-00f067aa0ba902b7-01'], [['a', 'b']]])('makes a new one for %p', (header) => {
    const traceId = traceIdOf(header as string | undefined);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf(header as string | undefined)).not.toBe(traceId);
  });
});

describe('audit record contract', () => {
  it('has no place for anything but ids in a target', () => {
    const record = exampleData('hub.audit.recorded');
    expect(AuditRecordedDataSchema.safeParse(record).success).toBe(true);
    expect(AuditRecordedDataSchema.safeParse({ ...record, target: { ...record.target, clientSecret: 'p8e-x' } }).success).toBe(false);
    expect(AuditRecordedDataSchema.safeParse({ ...record, action: 'ims.secret.peek' }).success).toBe(false);
  });
});
