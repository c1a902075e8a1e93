import { HubEnvelopeSchema } from './envelope.schema';
import { EVENT_REGISTRY, eventTypesOf } from './registry';
import { ALL_TOPICS, TOPIC_INFO } from './topics';

// Renders TOPICS.md from the registry, so the reference cannot drift from the schemas.
// The walker knows just the zod kinds our schemas use; anything else renders as its kind name.

interface SchemaLike {
  type: string;
  def: Record<string, unknown>;
  description?: string;
  // Present on the kinds that have them (ZodString, ZodNumber, ZodObject).
  format?: string | null;
  isInt?: boolean;
  minValue?: number | null;
  maxValue?: number | null;
  shape?: Record<string, SchemaLike>;
}

interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  notes: string;
}

export function renderTopicReference(): string {
  const out: string[] = [
    '# Topics and events',
    '',
    '<!-- Generated from libs/contracts by `npm run docs:topics`; do not edit by hand. -->',
    '',
    'Every Kafka value is a CloudEvents 1.0 event in structured JSON mode; the Kafka key is its `partitionkey`.',
    "audience-hub's producers also name the type in a `ce_type` header, so a consumer can pass by types it",
    'does not handle without parsing them; the value stays the authority, and events without the header',
    '(from Campaign or XC) are read whole.',
    "Within a topic's major version changes are additive only. Membership travels in chunks of at most",
    '10000 ids (`part`/`lastPart`). An invalid event goes to `hub.dead-letter.v1` and a `hub.event.rejected`',
    'event tells its producer.',
    '',
    '## Envelope',
    '',
    ...renderFields(HubEnvelopeSchema as unknown as SchemaLike),
  ];
  for (const topic of ALL_TOPICS) {
    const info = TOPIC_INFO[topic];
    out.push('', `## \`${topic}\``, '', `${info.producers.join(', ')} -> ${info.consumers.join(', ')}. ${info.summary}`);
    const types = eventTypesOf(topic);
    if (types.length === 0) out.push('', 'No registered event types.');
    for (const type of types) {
      const schema = EVENT_REGISTRY[type].schema as unknown as SchemaLike;
      out.push('', `### \`${type}\``, '');
      if (schema.description) out.push(schema.description, '');
      out.push(...renderFields(schema));
    }
  }
  return `${out.join('\n')}\n`;
}

function renderFields(schema: SchemaLike): string[] {
  const rows = fieldsOf(schema, '');
  return [
    '| field | type | required | notes |',
    '|---|---|---|---|',
    ...rows.map((row) => `| \`${row.path}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${cell(row.notes)} |`),
  ];
}

/** Object fields as rows; nested objects (also inside arrays) add rows with dotted paths. */
function fieldsOf(schema: SchemaLike, prefix: string): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [name, field] of Object.entries(schema.shape ?? {})) {
    const path = `${prefix}${name}`;
    const required = field.type !== 'optional';
    const inner = unwrap(field);
    const element = inner.def.element as SchemaLike | undefined;
    const notes = field.description ?? inner.description ?? (element?.description ? `each: ${element.description}` : '');
    rows.push({ path, type: typeName(inner), required, notes });
    if (inner.type === 'object') rows.push(...fieldsOf(inner, `${path}.`));
    if (inner.type === 'array' && element?.type === 'object') rows.push(...fieldsOf(element, `${path}[].`));
  }
  return rows;
}

function unwrap(schema: SchemaLike): SchemaLike {
  return schema.type === 'optional' || schema.type === 'nullable' ? unwrap(schema.def.innerType as SchemaLike) : schema;
}

function typeName(schema: SchemaLike): string {
  const def = schema.def;
  switch (schema.type) {
    case 'string':
      if (schema.format === 'datetime') return 'date-time';
      return schema.format && schema.format !== 'regex' ? schema.format : 'string';
    case 'number': {
      const base = schema.isInt ? 'integer' : 'number';
      const min = schema.minValue;
      const max = schema.maxValue;
      if (min != null && max != null && Number.isFinite(max) && Math.abs(max) < Number.MAX_SAFE_INTEGER) return `${base} ${min}..${max}`;
      return min != null && Number.isFinite(min) && Math.abs(min) < Number.MAX_SAFE_INTEGER ? `${base} >= ${min}` : base;
    }
    case 'literal':
      return (def.values as unknown[]).map((value) => JSON.stringify(value)).join(' | ');
    case 'enum':
      return Object.values(def.entries as Record<string, string>)
        .map((value) => JSON.stringify(value))
        .join(' | ');
    case 'array': {
      const element = def.element as SchemaLike;
      const name = typeName(element);
      return ['enum', 'union', 'literal'].includes(element.type) && name.includes('|') ? `(${name})[]` : `${name}[]`;
    }
    case 'record':
      return `record<${typeName(def.keyType as SchemaLike)}, ${typeName(def.valueType as SchemaLike)}>`;
    case 'union':
      return (def.options as SchemaLike[]).map(typeName).join(' | ');
    case 'optional':
    case 'nullable':
      return typeName(unwrap(schema));
    default:
      return schema.type;
  }
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
