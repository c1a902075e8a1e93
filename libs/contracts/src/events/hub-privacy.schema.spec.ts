import { exampleData } from '../examples';
import { PrivacyReceiptDataSchema, PrivacyRequestedDataSchema } from './hub-privacy.schema';

describe('privacy events', () => {
  it('takes a receipt with counts, or a failure with its reason', () => {
    expect(PrivacyReceiptDataSchema.safeParse(exampleData('hub.privacy.receipt')).success).toBe(true);
    const failed = { service: 'audience-export', requestId: 'prv-0123456789abcdef01234567', failed: true, reason: 'database unavailable', failedAt: '2026-12-06T10:00:00Z' };
    expect(PrivacyReceiptDataSchema.safeParse(failed).success).toBe(true);
    expect(PrivacyReceiptDataSchema.safeParse({ ...failed, service: 'campaign' }).success).toBe(false);
  });

  it('refuses a fan-out with a malformed ECID or request id', () => {
    const requested = exampleData('hub.privacy.requested');
    expect(PrivacyRequestedDataSchema.safeParse(requested).success).toBe(true);
    expect(PrivacyRequestedDataSchema.safeParse({ ...requested, identifiers: { ...requested.identifiers, ecids: ['123'] } }).success).toBe(false);
    expect(PrivacyRequestedDataSchema.safeParse({ ...requested, requestId: 'req-1' }).success).toBe(false);
  });
});
