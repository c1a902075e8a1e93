import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_EVENT_TYPES } from './registry';
import { renderTopicReference } from './topic-reference';
import { ALL_TOPICS } from './topics';

describe('renderTopicReference', () => {
  const markdown = renderTopicReference();

  it('has a section per topic and per event type', () => {
    for (const topic of ALL_TOPICS) expect(markdown).toContain(`## \`${topic}\``);
    for (const type of ALL_EVENT_TYPES) expect(markdown).toContain(`### \`${type}\``);
    expect(markdown).toContain('| `dataSource.integrationCode` | string | yes |');
    expect(markdown).toContain('| `errors` | string[] | yes |');
  });

  it('matches the committed TOPICS.md', () => {
    const committed = readFileSync(join(__dirname, '..', 'TOPICS.md'), 'utf8');
    if (committed !== markdown) {
      throw new Error('libs/contracts/TOPICS.md is out of date: run `npm run docs:topics`');
    }
  });
});
