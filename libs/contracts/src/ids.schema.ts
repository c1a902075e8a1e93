import { z } from 'zod';
import { unlessMissing } from './error-message';

// Identifier formats of DESIGN.md section 2. The messages are what operators read in
// rejections and problem+json answers, so each one says what the format should be.

export const IMS_ORG_ID_PATTERN = /^[0-9A-F]{24}@AdobeOrg$/;
export const ECID_PATTERN = /^[0-9]{38}$/;
export const ENTITY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
export const DECLARED_ID_MAX_LENGTH = 256;

export const IdMessages = {
  imsOrgId: 'IMS org id must be 24 upper-case hex characters followed by "@AdobeOrg"',
  ecid: 'ECID must be exactly 38 decimal digits',
  declaredIdEmpty: 'declared ID must not be empty',
  declaredIdTooLong: `declared ID must be at most ${DECLARED_ID_MAX_LENGTH} characters`,
  declaredIdColon: 'declared ID must not contain ":"',
  entityId: 'id must be 1..64 characters of A-Z a-z 0-9 . _ : -',
  dataUsageLabel: 'data-usage label must be one of C1..C12, I1, I2, S1, S2',
  idType: 'idType must be "visitor" or "declared"',
} as const;

export const ImsOrgIdSchema = z.string().regex(IMS_ORG_ID_PATTERN, IdMessages.imsOrgId).describe('IMS org id (24 upper-case hex + "@AdobeOrg")');

export const EcidSchema = z.string().regex(ECID_PATTERN, IdMessages.ecid).describe('ECID (38 decimal digits)');

export const DeclaredIdSchema = z
  .string()
  .min(1, IdMessages.declaredIdEmpty)
  .max(DECLARED_ID_MAX_LENGTH, IdMessages.declaredIdTooLong)
  .regex(/^[^:]*$/, IdMessages.declaredIdColon)
  .describe('declared ID (1..256 chars, no ":")');

/** Recipient, list, audience, data-source, request ... ids. */
export const EntityIdSchema = z.string().regex(ENTITY_ID_PATTERN, IdMessages.entityId).describe('id (1..64 of [A-Za-z0-9._:-])');

export const DATA_USAGE_LABELS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10', 'C11', 'C12', 'I1', 'I2', 'S1', 'S2'] as const;

export const DataUsageLabelSchema = z.enum(DATA_USAGE_LABELS, { error: unlessMissing(IdMessages.dataUsageLabel) });

export const ID_TYPES = ['visitor', 'declared'] as const;
export const IdTypeSchema = z.enum(ID_TYPES, { error: unlessMissing(IdMessages.idType) });

export type ImsOrgId = z.infer<typeof ImsOrgIdSchema>;
export type Ecid = z.infer<typeof EcidSchema>;
export type DeclaredId = z.infer<typeof DeclaredIdSchema>;
export type EntityId = z.infer<typeof EntityIdSchema>;
export type DataUsageLabel = z.infer<typeof DataUsageLabelSchema>;
export type IdType = z.infer<typeof IdTypeSchema>;

// Guards test the patterns directly: they run on hot paths (every id of a chunk).
export const isImsOrgId = (value: unknown): value is ImsOrgId => typeof value === 'string' && IMS_ORG_ID_PATTERN.test(value);
export const isEcid = (value: unknown): value is Ecid => typeof value === 'string' && ECID_PATTERN.test(value);
export const isDeclaredId = (value: unknown): value is DeclaredId => declaredIdError(value) === undefined;
export const isEntityId = (value: unknown): value is EntityId => typeof value === 'string' && ENTITY_ID_PATTERN.test(value);
export const isDataUsageLabel = (value: unknown): value is DataUsageLabel => (DATA_USAGE_LABELS as readonly unknown[]).includes(value);
export const isIdType = (value: unknown): value is IdType => (ID_TYPES as readonly unknown[]).includes(value);

function declaredIdError(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'declared ID must be a string';
  if (value.length === 0) return IdMessages.declaredIdEmpty;
  if (value.length > DECLARED_ID_MAX_LENGTH) return IdMessages.declaredIdTooLong;
  if (value.includes(':')) return IdMessages.declaredIdColon;
  return undefined;
}

/** Why `value` is not a valid id of `idType`, or undefined when it is (no zod, for chunk loops). */
export function xcIdError(idType: IdType, value: unknown): string | undefined {
  if (idType === 'visitor') return isEcid(value) ? undefined : IdMessages.ecid;
  return declaredIdError(value);
}
