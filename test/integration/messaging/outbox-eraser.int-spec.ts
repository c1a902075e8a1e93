import { randomBytes } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createEvent, EventTypes, type AnyHubEvent } from '@audience-hub/contracts';
import { newEcid, newOrgId } from '@audience-hub/testing';
import { enqueueEvents, enqueueTombstones, eraseFromOutbox, OutboxRelay } from '@audience-hub/messaging';
import { openMessagingSchema } from './messaging-schema';

let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await openMessagingSchema('eraser');
});

afterAll(async () => {
  await dataSource.destroy();
});

/** A producer that records the keys it was given, in order. */
function recordingProducer(): { producer: Producer; keys: string[] } {
  const keys: string[] = [];
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ key: string }> }> }) => {
      keys.push(...topicMessages.flatMap(({ messages }) => messages.map((m) => m.key)));
      return [];
    },
  } as unknown as Producer;
  return { producer, keys };
}

const membersAdded = (orgId: string, listId: string, recipientIds: string[]): AnyHubEvent =>
  createEvent({ type: EventTypes.campaignListMembersAdded, source: '/test', orgId, aggregateId: listId, data: { listId, recipientIds } });

describe('outbox eraser', () => {
  it("marks the unsent rows holding a subject's identifier among many others, which leave once sent like every other row", async () => {
    const orgId = newOrgId();
    const subject = `rcp-${randomBytes(4).toString('hex')}`;
    const subjectEcid = newEcid();
    const otherEcid = newEcid();
    const others = Array.from({ length: 9_999 }, (_, i) => `rcp-other-${i}`);
    await dataSource.transaction(async (tx) => {
      await enqueueEvents(tx, [
        membersAdded(orgId, 'with-subject', [...others.slice(0, 5_000), subject, ...others.slice(5_000)]),
        membersAdded(orgId, 'without', others),
        // The subject's id inside a longer one is someone else's.
        membersAdded(orgId, 'look-alike', [`x${subject}x`, `${subject}0`]),
      ]);
      await enqueueTombstones(tx, 'idrec.identity-links.v1', [`${orgId}:visitor/${subjectEcid}`, `${orgId}:visitor/${otherEcid}`]);
    });
    const erased = await dataSource.transaction((tx) => eraseFromOutbox(tx, [subject, subjectEcid, 'rcp-never-enqueued']));
    expect(erased).toBe(2);

    const { producer, keys } = recordingProducer();
    const relay = new OutboxRelay({ dataSource, producer, deleteSent: true });
    while ((await relay.publishOnce()) > 0) {
      /* until every row is sent */
    }
    // Every row went out, the erased ones included (the large chunks after the small rows).
    expect([...keys].sort()).toEqual(
      [`${orgId}:with-subject`, `${orgId}:without`, `${orgId}:look-alike`, `${orgId}:visitor/${subjectEcid}`, `${orgId}:visitor/${otherEcid}`].sort(),
    );
    // Every row is gone once sent (a service holding subjects' identifiers keeps no sent row).
    expect(await dataSource.query(`SELECT seq FROM outbox_events`)).toEqual([]);
  });

  it("marks a bundle of a batch's events when one of them holds a subject's identifier, and leaves the other bundles", async () => {
    const orgId = newOrgId();
    const subject = `rcp-${randomBytes(4).toString('hex')}`;
    await dataSource.query(`DELETE FROM outbox_events`);
    const batch = (listId: string, recipients: (i: number) => string[]) => Array.from({ length: 100 }, (_, i) => membersAdded(orgId, `${listId}-${i}`, recipients(i)));
    await dataSource.transaction((tx) =>
      enqueueEvents(
        tx,
        batch('holding', (i) => (i === 57 ? [subject] : [`rcp-${i}`])),
      ),
    );
    await dataSource.transaction((tx) =>
      enqueueEvents(
        tx,
        batch('not-holding', (i) => [`${subject}-${i}`]),
      ),
    );
    expect(await dataSource.query(`SELECT records FROM outbox_events ORDER BY seq`)).toEqual([{ records: 100 }, { records: 100 }]);

    expect(await dataSource.transaction((tx) => eraseFromOutbox(tx, [subject]))).toBe(1);
    expect(await dataSource.query(`SELECT records, erase_once_sent FROM outbox_events ORDER BY seq`)).toEqual([
      { records: 100, erase_once_sent: true },
      { records: 100, erase_once_sent: false },
    ]);
  });

  it('keeps sent rows with their content where the relay is told to (a service holding no subject identifiers), all but the erased ones', async () => {
    const orgId = newOrgId();
    const subject = `rcp-${randomBytes(4).toString('hex')}`;
    await dataSource.query(`DELETE FROM outbox_events`);
    await dataSource.transaction((tx) => enqueueEvents(tx, [membersAdded(orgId, 'kept', ['rcp-1']), membersAdded(orgId, 'erased', [subject])]));
    expect(await dataSource.transaction((tx) => eraseFromOutbox(tx, [subject]))).toBe(1);
    const { producer, keys } = recordingProducer();
    const relay = new OutboxRelay({ dataSource, producer });
    while ((await relay.publishOnce()) > 0) {
      /* until every row is sent */
    }
    expect([...keys].sort()).toEqual([`${orgId}:erased`, `${orgId}:kept`]);
    const rows = await dataSource.query(`SELECT message_key, message_value, sent_at IS NOT NULL AS sent FROM outbox_events`);
    expect(rows).toEqual([expect.objectContaining({ message_key: `${orgId}:kept`, sent: true })]);
    expect(rows[0].message_value).toContain('rcp-1');
  });
});
