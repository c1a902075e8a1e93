import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { renderAsyncApi } from './asyncapi';
import { ALL_EVENT_TYPES, eventTypesOf } from './registry';
import { ALL_TOPICS, TOPIC_INFO } from './topics';

describe('renderAsyncApi', () => {
  const yaml = renderAsyncApi();

  it('matches the committed docs/asyncapi.yaml', () => {
    const committed = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'asyncapi.yaml'), 'utf8');
    if (committed !== yaml) throw new Error('docs/asyncapi.yaml is out of date: run `npm run docs:topics`');
  });

  describe('parsed by @asyncapi/parser', () => {
    let parsed: Awaited<ReturnType<Parser['parse']>>;
    beforeAll(async () => {
      parsed = await new Parser().parse(yaml);
    });

    it('has no errors or warnings', () => {
      const problems = parsed.diagnostics
        .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
        .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
      expect(problems).toEqual([]);
      expect(parsed.document).toBeDefined();
    });

    it("has a channel per topic, a message per event type, and each topic's producers and consumers", () => {
      const document = parsed.document!;
      expect(
        document
          .channels()
          .all()
          .map((channel) => channel.address()),
      ).toEqual([...ALL_TOPICS]);
      const messageIds = document
        .components()
        .messages()
        .all()
        .map((message) => message.id());
      expect(messageIds).toEqual(expect.arrayContaining([...ALL_EVENT_TYPES]));

      for (const topic of ALL_TOPICS) {
        const channel = document.channels().get(topic)!;
        expect(
          channel
            .messages()
            .all()
            .map((message) => message.id()),
        ).toEqual(expect.arrayContaining([...eventTypesOf(topic)]));
        const partiesDoing = (action: 'send' | 'receive') =>
          channel
            .operations()
            .all()
            .filter((operation) => operation.action() === action)
            .map((operation) => operation.tags().all()[0].name());
        expect(partiesDoing('send')).toEqual([...TOPIC_INFO[topic].producers]);
        expect(partiesDoing('receive')).toEqual([...TOPIC_INFO[topic].consumers]);
      }
    });
  });
});
