import { DeadLetterHeaders } from '@audience-hub/contracts';
import { parseDeadLetterId, summaryOf, toDeadLetter } from './dead-letter';
import { RedriveSchema } from './dead-letters.schema';

const event = { specversion: '1.0', id: '6f1c2f5e-8a53-4c8f-9d3f-1f8c2f0e5a11', type: 'campaign.shared-audience.update-requested', orgid: 'ORG@AdobeOrg', data: {} };

describe('dead letters', () => {
  it('reads the reason, errors and origin from the dlq headers and keeps only the original headers for redrive', () => {
    const letter = toDeadLetter(
      {
        partition: 2,
        offset: '17',
        key: Buffer.from('ORG@AdobeOrg:lst-1'),
        value: Buffer.from(JSON.stringify(event)),
        timestamp: String(Date.parse('2026-01-01T00:00:00Z')),
        headers: {
          ce_type: Buffer.from(event.type),
          [DeadLetterHeaders.reason]: Buffer.from('unknown data source crm'),
          [DeadLetterHeaders.errors]: Buffer.from(JSON.stringify(['unknown data source crm', 'second'])),
          [DeadLetterHeaders.originalTopic]: Buffer.from('test-1.campaign.shared-audience-requests.v1'),
          [DeadLetterHeaders.originalPartition]: Buffer.from('4'),
          [DeadLetterHeaders.originalOffset]: Buffer.from('99'),
          [DeadLetterHeaders.consumerGroup]: Buffer.from('audience-hub.audience-export'),
          [DeadLetterHeaders.attempts]: Buffer.from('1'),
        },
      },
      (physical) => physical.replace(/^test-1\./, ''),
    );
    expect(letter.consumerGroup).toBe('audience-hub.audience-export');
    expect(letter.orgId).toBe('ORG@AdobeOrg');
    expect(summaryOf(letter.detail)).toEqual({
      id: '2-17',
      topic: 'campaign.shared-audience-requests.v1',
      partition: 4,
      offset: '99',
      reason: 'unknown data source crm',
      firstError: 'unknown data source crm',
      attempts: 1,
      eventId: event.id,
      eventType: event.type,
      deadLetteredAt: '2026-01-01T00:00:00.000Z',
    });
    expect(letter.detail).toMatchObject({ errors: ['unknown data source crm', 'second'], key: 'ORG@AdobeOrg:lst-1', event, headers: { ce_type: event.type } });
    expect(Object.keys(letter.original.headers)).toEqual(['ce_type']);
    expect(letter.original.value?.toString()).toBe(JSON.stringify(event));
  });

  it('shows a value that is not JSON as text, with no org', () => {
    const letter = toDeadLetter({ partition: 0, offset: '1', key: null, value: Buffer.from('not json'), timestamp: '0', headers: {} }, (t) => t);
    expect(letter.detail.event).toBe('not json');
    expect(letter.orgId).toBeUndefined();
  });

  it('parses ids and asks a redrive for ids or a filter', () => {
    expect(parseDeadLetterId('3-42')).toEqual({ partition: 3, offset: '42' });
    expect(parseDeadLetterId('x')).toBeUndefined();
    expect(RedriveSchema.safeParse({ dryRun: true }).success).toBe(false);
    expect(RedriveSchema.parse({ ids: ['0-1'] })).toEqual({ ids: ['0-1'], dryRun: false });
  });
});
