import { createEvent, HubEnvelopeSchema } from './envelope.schema';
import { EXAMPLE_ORG_ID } from './examples';

describe('createEvent', () => {
  it('fills id, time, specversion, datacontenttype and partitionkey', () => {
    const event = createEvent({
      type: 'campaign.list.created',
      source: '/campaign',
      orgId: EXAMPLE_ORG_ID,
      aggregateId: 'list-1',
      data: { listId: 'list-1', label: 'Subscribers' },
    });
    expect(event).toMatchObject({
      specversion: '1.0',
      source: '/campaign',
      type: 'campaign.list.created',
      datacontenttype: 'application/json',
      orgid: EXAMPLE_ORG_ID,
      partitionkey: `${EXAMPLE_ORG_ID}:list-1`,
    });
    expect(event).not.toHaveProperty('traceparent');
    expect(HubEnvelopeSchema.safeParse(event).success).toBe(true);
  });

  it('keeps a given id, time and traceparent', () => {
    const event = createEvent({
      type: 'campaign.list.deleted',
      source: '/campaign',
      orgId: EXAMPLE_ORG_ID,
      aggregateId: 'list-1',
      data: { listId: 'list-1' },
      id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
      time: new Date('2024-05-01T10:00:00Z'),
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(event.id).toBe('6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f');
    expect(event.time).toBe('2024-05-01T10:00:00.000Z');
    expect(HubEnvelopeSchema.safeParse(event).success).toBe(true);
  });
});
