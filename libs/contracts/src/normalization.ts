import { hash } from 'node:crypto';

/**
 * A reconciliation key's normalisation (DESIGN section 2): both sides, the recipients' attribute
 * values and the ids XC sends, are normalised the same way before they are matched. id-reconciliation
 * normalises the recipients' side; a service receiving XC's ids normalises them with the same steps.
 */
export type NormalizationStep = 'trim' | 'lowercase' | 'sha256';

/** Applied to both sides before matching, always in this order whatever order was configured. */
const ORDER: NormalizationStep[] = ['trim', 'lowercase', 'sha256'];

export function canonicalSteps(steps: readonly NormalizationStep[]): NormalizationStep[] {
  return ORDER.filter((step) => steps.includes(step));
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A recipient attribute value as a declared id of a data source (undefined when there is none). */
export function normalizeAttribute(value: unknown, steps: readonly NormalizationStep[]): string | undefined {
  if (value === null || value === undefined) return undefined;
  // Attribute values are JSON scalars (string, number, boolean): String() is their text.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  let text = typeof value === 'string' ? value : String(value);
  if (steps.includes('trim')) text = text.trim();
  if (steps.includes('lowercase')) text = text.toLowerCase();
  if (text === '') return undefined;
  // crypto.hash: a third of createHash's cost for short strings (one hash per declared id ingested).
  if (steps.includes('sha256')) text = hash('sha256', text, 'hex');
  return text;
}

/**
 * An id XC sends for a data source, normalised like the recipients' side. With sha256 configured,
 * XC usually sends the hash itself: a 64-hex id is taken as already hashed.
 */
export function normalizeIncoming(id: string, steps: readonly NormalizationStep[]): string {
  let text = id;
  if (steps.includes('trim')) text = text.trim();
  if (steps.includes('lowercase') || steps.includes('sha256')) {
    const lowered = text.toLowerCase();
    if (steps.includes('sha256')) return SHA256_HEX.test(lowered) ? lowered : hash('sha256', steps.includes('lowercase') ? lowered : text, 'hex');
    text = lowered;
  }
  return text;
}

/** Why a normalised value cannot be a declared id (DESIGN section 2), or undefined. */
export function declaredIdProblem(value: string): string | undefined {
  if (value.length > 256) return `declared id is ${value.length} characters after normalisation; at most 256`;
  if (value.includes(':')) return 'declared id contains ":" after normalisation';
  return undefined;
}

/** The same normalisation in SQL, for recomputing a whole data source set-based. `expr` is trusted SQL. */
export function normalizationSql(expr: string, steps: readonly NormalizationStep[]): string {
  let sql = expr;
  if (steps.includes('trim')) sql = `regexp_replace(${sql}, '^\\s+|\\s+$', '', 'g')`;
  if (steps.includes('lowercase')) sql = `lower(${sql})`;
  sql = `NULLIF(${sql}, '')`;
  if (steps.includes('sha256')) sql = `encode(sha256(convert_to(${sql}, 'UTF8')), 'hex')`;
  return sql;
}
