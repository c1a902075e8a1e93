import { randomBytes, randomUUID } from 'node:crypto';

/** A fresh IMS org id, so each test owns its data. */
export function newOrgId(): string {
  return `${randomBytes(12).toString('hex').toUpperCase()}@AdobeOrg`;
}

/** A fresh ECID (38 decimal digits). */
export function newEcid(): string {
  let digits = '';
  while (digits.length < 38) digits += randomBytes(8).readBigUInt64BE().toString().padStart(19, '0');
  return digits.slice(0, 38);
}

/** A short unique id usable as recipient/list/audience id. */
export function newId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
