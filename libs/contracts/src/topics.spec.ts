import { ALL_TOPICS, isTopic, TOPIC_INFO, Topics } from './topics';

describe('topics', () => {
  it('lists every topic once, each with a producer and a consumer', () => {
    expect(ALL_TOPICS).toHaveLength(15);
    expect(new Set(ALL_TOPICS).size).toBe(ALL_TOPICS.length);
    expect(Object.keys(TOPIC_INFO).sort()).toEqual([...ALL_TOPICS].sort());
    expect(ALL_TOPICS).toContain(Topics.hubDeadLetter);
    expect(Topics.hubDeadLetter).toBe('hub.dead-letter.v1');
  });

  it('recognises topic names', () => {
    expect(isTopic('campaign.lists.v1')).toBe(true);
    expect(isTopic('campaign.lists.v2')).toBe(false);
  });
});
