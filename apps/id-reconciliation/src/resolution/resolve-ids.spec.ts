import { createHash } from 'node:crypto';
import { exampleEcid } from '@audience-hub/contracts';
import { normalizeIncoming, type NormalizationStep } from '@audience-hub/contracts';
import { invalidIds } from './resolve-ids';

const ecid = exampleEcid(1);
const declared = (ids: string[], steps: NormalizationStep[]) =>
  invalidIds(
    'declared',
    'to-recipients',
    ids,
    ids.map((id) => normalizeIncoming(id, steps)),
  );

describe('invalidIds', () => {
  it('takes ECIDs of 38 decimal digits for the visitor source, naming the index of each other id', () => {
    expect(invalidIds('visitor', 'to-recipients', [ecid, ecid.slice(1), `${ecid}1`, `${ecid.slice(1)}a`, 'crm-42'])).toEqual([
      { index: 1, reason: 'ECID must be exactly 38 decimal digits' },
      { index: 2, reason: 'ECID must be exactly 38 decimal digits' },
      { index: 3, reason: 'ECID must be exactly 38 decimal digits' },
      { index: 4, reason: 'ECID must be exactly 38 decimal digits' },
    ]);
  });

  it('takes declared ids of at most 256 characters without ":" for a declared source', () => {
    expect(declared(['crm-42', 'x'.repeat(256), 'a:b', 'x'.repeat(257)], [])).toEqual([
      { index: 2, reason: 'declared ID must not contain ":"' },
      { index: 3, reason: 'declared ID must be at most 256 characters' },
    ]);
  });

  it('checks declared ids as they are looked up, after the normalisation', () => {
    // Hashed, any id is a declared id (the recipients' values are hashed the same way), even one with ":" or blank.
    expect(declared(['a:b', '  ', createHash('sha256').update('ann').digest('hex').toUpperCase()], ['trim', 'lowercase', 'sha256'])).toEqual([]);
    // Trimmed, blanks are no id at all.
    expect(declared(['   ', ' Ann@Example.com ', ' a:b '], ['trim'])).toEqual([
      { index: 0, reason: 'declared ID must not be empty after normalisation' },
      { index: 2, reason: 'declared ID must not contain ":"' },
    ]);
  });

  it('takes recipient ids of 1..64 of [A-Za-z0-9._:-] to-xc, whatever the source', () => {
    for (const idType of ['visitor', 'declared'] as const) {
      expect(invalidIds(idType, 'to-xc', ['r1', 'list-1.a_b:c', 'x'.repeat(64), 'x'.repeat(65), 'has space', ecid, 'ann@example.com'])).toEqual([
        { index: 3, reason: 'recipient id must be 1..64 characters of A-Z a-z 0-9 . _ : -' },
        { index: 4, reason: 'recipient id must be 1..64 characters of A-Z a-z 0-9 . _ : -' },
        { index: 6, reason: 'recipient id must be 1..64 characters of A-Z a-z 0-9 . _ : -' },
      ]);
    }
  });

  it('finds nothing wrong in valid ids', () => {
    expect(invalidIds('visitor', 'to-recipients', [ecid, exampleEcid(2)])).toEqual([]);
  });
});
