import { createHash } from 'node:crypto';
import { z } from 'zod';
import { declaredIdProblem, isEcid, isEntityId, normalizeIncoming } from '@audience-hub/contracts';
import type { DataSourceModel } from '../data-sources/data-source.model';
import type { PrivacySubject } from '@audience-hub/contracts';
import type { SubjectIds } from './privacy.repository';

/**
 * A request's subjects as ids of the graph: `recipientId`, `ecid`, a declared data source's id
 * (its value normalised like the recipients' key values, so a raw or already-hashed value both
 * match), `email` (normalised through every declared source whose reconciliation key is the e-mail
 * attribute). Every subject that is not one of these is an issue at its index; nothing is looked up.
 */
export function subjectIdsOf(subjects: readonly PrivacySubject[], dataSources: readonly DataSourceModel[]): { ids: SubjectIds; issues: z.core.$ZodIssue[] } {
  const ids: SubjectIds = { recipientIds: [], ecids: [], declaredIds: [] };
  const issues: z.core.$ZodIssue[] = [];
  const issue = (index: number, field: 'namespace' | 'value', message: string) => issues.push({ code: 'custom', path: ['subjects', index, field], message, input: undefined });
  const declared = new Map(dataSources.filter((ds) => ds.idType === 'declared').map((ds) => [ds.id, ds]));
  const emailSources = [...declared.values()].filter((ds) => ds.reconciliationKey!.attribute.toLowerCase() === 'email');

  subjects.forEach(({ namespace, value }, index) => {
    if (namespace === 'recipientId') {
      if (isEntityId(value)) ids.recipientIds.push(value);
      else issue(index, 'value', 'a recipient id is 1..64 of [A-Za-z0-9._:-]');
    } else if (namespace === 'ecid') {
      if (isEcid(value)) ids.ecids.push(value);
      else issue(index, 'value', 'an ECID is 38 decimal digits');
    } else if (namespace === 'email') {
      if (!/^[^\s@]+@[^\s@]+$/.test(value.trim())) issue(index, 'value', 'not an e-mail address');
      else for (const ds of emailSources) ids.declaredIds.push({ dataSourceId: ds.id, declaredId: normalizeIncoming(value, ds.reconciliationKey!.normalization) });
    } else if (declared.has(namespace)) {
      const declaredId = normalizeIncoming(value, declared.get(namespace)!.reconciliationKey!.normalization);
      const problem = declaredIdProblem(declaredId);
      if (problem === undefined) ids.declaredIds.push({ dataSourceId: namespace, declaredId });
      else issue(index, 'value', problem);
    } else {
      issue(index, 'namespace', `unknown namespace "${namespace}": recipientId, ecid, email or a declared data source's id`);
    }
  });
  return { ids, issues };
}

/** The same subjects in any order and spelling give the same hash: what "the same request" means. */
export function subjectsHash(ids: SubjectIds): string {
  const keys = [...ids.recipientIds.map((id) => `recipientId:${id}`), ...ids.ecids.map((id) => `ecid:${id}`), ...ids.declaredIds.map((d) => `${d.dataSourceId}:${d.declaredId}`)];
  return createHash('sha256')
    .update([...new Set(keys)].sort().join('\n'), 'utf8')
    .digest('hex');
}
