import {
  DataUsageLabelSchema,
  DeclaredIdSchema,
  EcidSchema,
  EntityIdSchema,
  IdTypeSchema,
  ImsOrgIdSchema,
  isDataUsageLabel,
  isDeclaredId,
  isEcid,
  isEntityId,
  isIdType,
  isImsOrgId,
  xcIdError,
} from './ids.schema';
import type { z } from 'zod';

const messageOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0].message;
};

describe('identifier schemas', () => {
  it('accepts an IMS org id and rejects lower-case or missing suffix', () => {
    expect(isImsOrgId('5DC5123F5245B1D20A490D46@AdobeOrg')).toBe(true);
    expect(isImsOrgId('5dc5123f5245b1d20a490d46@AdobeOrg')).toBe(false);
    expect(isImsOrgId('5DC5123F5245B1D20A490D46')).toBe(false);
    expect(messageOf(ImsOrgIdSchema, 'acme')).toBe('IMS org id must be 24 upper-case hex characters followed by "@AdobeOrg"');
  });

  it('accepts exactly 38 decimal digits as an ECID', () => {
    expect(isEcid('1'.repeat(38))).toBe(true);
    expect(isEcid('1'.repeat(37))).toBe(false);
    expect(isEcid('1'.repeat(39))).toBe(false);
    expect(isEcid(`${'1'.repeat(37)}a`)).toBe(false);
    expect(messageOf(EcidSchema, '123')).toBe('ECID must be exactly 38 decimal digits');
  });

  it('accepts declared ids of 1..256 characters without ":"', () => {
    expect(isDeclaredId('crm-42')).toBe(true);
    expect(isDeclaredId('a'.repeat(256))).toBe(true);
    expect(isDeclaredId('a'.repeat(257))).toBe(false);
    expect(isDeclaredId('')).toBe(false);
    expect(messageOf(DeclaredIdSchema, 'crm:42')).toBe('declared ID must not contain ":"');
    expect(messageOf(DeclaredIdSchema, '')).toBe('declared ID must not be empty');
  });

  it('accepts entity ids of 1..64 of [A-Za-z0-9._:-]', () => {
    expect(isEntityId('list-1.a_b:c')).toBe(true);
    expect(isEntityId('a'.repeat(65))).toBe(false);
    expect(isEntityId('has space')).toBe(false);
    expect(messageOf(EntityIdSchema, '')).toBe('id must be 1..64 characters of A-Z a-z 0-9 . _ : -');
  });

  it('knows the data-usage labels and id types', () => {
    expect(['C1', 'C12', 'I1', 'I2', 'S1', 'S2'].every(isDataUsageLabel)).toBe(true);
    expect(isDataUsageLabel('C13')).toBe(false);
    expect(messageOf(DataUsageLabelSchema, 'C13')).toBe('data-usage label must be one of C1..C12, I1, I2, S1, S2');
    expect(isIdType('visitor') && isIdType('declared')).toBe(true);
    expect(messageOf(IdTypeSchema, 'cookie')).toBe('idType must be "visitor" or "declared"');
  });

  it('checks an XC id against its id type', () => {
    expect(xcIdError('visitor', '1'.repeat(38))).toBeUndefined();
    expect(xcIdError('visitor', 'crm-42')).toBe('ECID must be exactly 38 decimal digits');
    expect(xcIdError('declared', 'crm-42')).toBeUndefined();
    expect(xcIdError('declared', 'a:b')).toBe('declared ID must not contain ":"');
  });
});
