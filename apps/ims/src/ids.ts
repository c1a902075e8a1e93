import { randomBytes } from 'node:crypto';

// Identifier forms of the IMS. Account and secret ids are entity ids (DESIGN section 2), as events carry them.
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** 24 upper-case hex characters + "@AdobeOrg". */
export const newImsOrgId = () => `${hex(12).toUpperCase()}@AdobeOrg`;
export const newTechnicalAccountId = () => `ta-${hex(12)}`;
/** 32 hex characters, like an Adobe API key. */
export const newClientId = () => hex(16);
export const newSecretId = () => `sec-${hex(8)}`;
/** 256 random bits: guessing is hopeless, so the hash only has to protect a leaked table. */
export const newClientSecret = () => `p8e-${randomBytes(32).toString('base64url')}`;
export const newKid = () => `key-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${hex(4)}`;
