import { AuditTrail1764401500000 } from '@audience-hub/audit';
import { ByteOrderedText1764401400000 } from '@audience-hub/persistence';
import {
  DataSourceNormalization1764401200000,
  IdentityReplica1764401000000,
  ReplicaPositionsTruncated1765000000810,
  Suppressions1764401900200,
  type ServiceDescriptor,
} from '@audience-hub/platform';
import { ChangelogPositions1765000000800, MESSAGING_MIGRATIONS } from '@audience-hub/messaging';
import { RevokedCredentials1764400000100 } from '@audience-hub/auth';
import { AudienceImport1764400300000 } from './migrations/1764400300000-audience-import';
import { MembersByRun1764400310000 } from './migrations/1764400310000-members-by-run';
import { AnswersPerPart1764400320000 } from './migrations/1764400320000-answers-per-part';
import { ReplicaResolution1764401100000 } from './migrations/1764401100000-replica-resolution';
import { ResolvePerChunk1764401300000 } from './migrations/1764401300000-resolve-per-chunk';
import { PickedUpFiles1764401800000 } from './migrations/1764401800000-picked-up-files';
import { ReceivedSnapshots1765000000200 } from './migrations/1765000000200-received-snapshots';
import { GraphVersions1765000000600 } from './migrations/1765000000600-graph-versions';

export const audienceImportService: ServiceDescriptor = {
  name: 'audience-import',
  schema: 'audience_import',
  defaultPort: 3002,
  title: 'audience-hub audience import',
  description: 'XC shared audiences become Campaign lists: catalog, import jobs, imported lists, pending ids reconciled against a replica of the identity graph, governance.',
  holdsSubjectIdentifiers: true,
  migrations: [
    ...MESSAGING_MIGRATIONS,
    RevokedCredentials1764400000100,
    AudienceImport1764400300000,
    MembersByRun1764400310000,
    AnswersPerPart1764400320000,
    IdentityReplica1764401000000,
    ReplicaResolution1764401100000,
    DataSourceNormalization1764401200000,
    ResolvePerChunk1764401300000,
    ByteOrderedText1764401400000,
    AuditTrail1764401500000,
    PickedUpFiles1764401800000,
    Suppressions1764401900200,
    ReceivedSnapshots1765000000200,
    GraphVersions1765000000600,
    ChangelogPositions1765000000800,
    ReplicaPositionsTruncated1765000000810,
  ],
};
