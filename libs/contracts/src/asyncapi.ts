import { Document } from 'yaml';
import { z } from 'zod';
import { HubEnvelopeSchema, TRACEPARENT_PATTERN } from './envelope.schema';
import type { EventType } from './event-types';
import { exampleEvent } from './examples';
import { DeadLetterHeaders, EVENT_TYPE_HEADER, TRACE_CONTEXT_HEADER } from './kafka-headers';
import { EVENT_REGISTRY, eventTypesOf } from './registry';
import { ALL_TOPICS, HUB_SERVICES, OUTSIDE_PARTIES, type Topic, TOPIC_INFO, Topics } from './topics';

// Renders docs/asyncapi.yaml from the registry, as topic-reference.ts renders TOPICS.md.
// One document describes the whole hub: each operation is one party sending to or receiving
// from a topic, tagged with that party. Key order follows the registry, so output is stable.

type Json = Record<string, unknown>;

const KAFKA_BINDING_VERSION = '0.5.0';
const DEAD_LETTER_MESSAGE = 'hub.dead-lettered';
// Examples get a fixed id: exampleEvent draws a random one.
const EXAMPLE_EVENT_ID = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';

const PARTITION_KEY = {
  type: 'string',
  description: 'the event\'s `partitionkey`, "<orgid>:<aggregate id>", so one aggregate\'s events stay in order on one partition',
};

const DEAD_LETTER_HEADER_NOTES: Record<keyof typeof DeadLetterHeaders, string> = {
  reason: 'why it was rejected, one line',
  errors: 'a JSON array of "path: message", at most 50',
  originalTopic: 'the topic it was read from',
  originalPartition: 'its partition there',
  originalOffset: 'its offset there',
  consumerGroup: 'the consumer group that rejected it',
  attempts: 'how many times its handler ran; 0 when it was invalid and reached none',
};

export function renderAsyncApi(): string {
  const channels: Json = {};
  const operations: Json = {};
  for (const topic of ALL_TOPICS) {
    const info = TOPIC_INFO[topic];
    const messageIds = messageIdsOf(topic);
    channels[topic] = {
      address: topic,
      description: info.summary,
      messages: Object.fromEntries(messageIds.map((id) => [id, ref('components', 'messages', id)])),
    };
    const sides = [['send', info.producers] as const, ['receive', info.consumers] as const];
    for (const [action, parties] of sides) {
      for (const party of parties) {
        operations[`${party}.${action}.${topic}`] = {
          action,
          channel: ref('channels', topic),
          summary: `${party} ${action === 'send' ? 'publishes to' : 'consumes'} ${topic}`,
          tags: [{ name: party }],
          messages: messageIds.map((id) => ref('channels', topic, 'messages', id)),
        };
      }
    }
  }

  const messages: Json = {};
  for (const type of Object.keys(EVENT_REGISTRY) as EventType[]) messages[type] = eventMessage(type);
  messages[DEAD_LETTER_MESSAGE] = deadLetterMessage();

  const document = new Document(
    {
      asyncapi: '3.0.0',
      info: {
        title: 'audience-hub events',
        // The contract's major version, as every topic name carries it (".v1").
        version: '1',
        description: [
          'Every Kafka value is a CloudEvents 1.0 event in structured JSON mode (the `HubEnvelope` schema), its',
          '`data` checked against the schema of its `type`; the Kafka key is its `partitionkey`. Each operation is',
          'one party sending to or receiving from a topic, tagged with that party. Channel addresses are logical',
          "topic names: on the broker, `KAFKA_TOPIC_PREFIX` may prefix them. Within a topic's major version",
          'changes are additive only, so schemas allow fields they do not name.',
        ].join('\n'),
        tags: [
          ...HUB_SERVICES.map((name) => ({ name, description: 'an audience-hub service' })),
          ...OUTSIDE_PARTIES.map((name) => ({ name, description: 'outside audience-hub' })),
        ],
      },
      defaultContentType: 'application/json',
      channels,
      operations,
      components: {
        schemas: { HubEnvelope: { description: "CloudEvents 1.0 envelope with the hub's extensions", ...jsonSchema(HubEnvelopeSchema) } },
        messages,
      },
    },
    // Every message shares the key schema object: write it out each time, not as a YAML alias.
    { aliasDuplicateObjects: false },
  );
  document.commentBefore = ' Generated from libs/contracts by `npm run docs:topics`; do not edit by hand.';
  return document.toString({ lineWidth: 0 });
}

function messageIdsOf(topic: Topic): string[] {
  return topic === Topics.hubDeadLetter ? [DEAD_LETTER_MESSAGE] : [...eventTypesOf(topic)];
}

function eventMessage(type: EventType): Json {
  return {
    name: type,
    title: type,
    headers: {
      type: 'object',
      properties: {
        [EVENT_TYPE_HEADER]: {
          type: 'string',
          const: type,
          description: "Sent by audience-hub's producers, not by Campaign or XC, so consumers pass by types they do not handle; the value stays the authority.",
        },
        [TRACE_CONTEXT_HEADER]: {
          type: 'string',
          pattern: TRACEPARENT_PATTERN.source,
          description:
            "W3C trace context of the producer's send span, sent by audience-hub's producers when tracing is on; consumers continue it, else the envelope's traceparent.",
        },
      },
    },
    payload: {
      allOf: [ref('components', 'schemas', 'HubEnvelope'), { type: 'object', properties: { type: { const: type }, data: jsonSchema(EVENT_REGISTRY[type].schema) } }],
    },
    bindings: { kafka: { key: PARTITION_KEY, bindingVersion: KAFKA_BINDING_VERSION } },
    examples: [{ headers: { [EVENT_TYPE_HEADER]: type }, payload: exampleEvent(type, { id: EXAMPLE_EVENT_ID }) }],
  };
}

function deadLetterMessage(): Json {
  const names = Object.keys(DeadLetterHeaders) as (keyof typeof DeadLetterHeaders)[];
  return {
    name: DEAD_LETTER_MESSAGE,
    title: 'A dead-lettered message',
    summary: 'A message no consumer could apply, kept with its key, value and headers as received.',
    headers: {
      type: 'object',
      properties: Object.fromEntries(names.map((name) => [DeadLetterHeaders[name], { type: 'string', description: DEAD_LETTER_HEADER_NOTES[name] }])),
      required: names.map((name) => DeadLetterHeaders[name]),
    },
    payload: { description: 'the value as received, byte for byte: usually a hub event, but whatever its producer sent' },
    bindings: { kafka: { key: { type: 'string', description: 'the key as received' }, bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

// Draft-07 is what AsyncAPI's default schema format builds on. The input side leaves out
// `additionalProperties: false`: consumers strip fields they do not know.
function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-07', io: 'input' });
  return rest;
}

const ref = (...path: string[]): Json => ({ $ref: `#/${path.join('/')}` });
