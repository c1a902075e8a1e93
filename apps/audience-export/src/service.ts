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
import { CampaignLists1764400100000 } from './migrations/1764400100000-campaign-lists';
import { SharedAudiences1764400200000 } from './migrations/1764400200000-shared-audiences';
import { AudienceMemberCounts1764400300000 } from './migrations/1764400300000-audience-member-counts';
import { UpdateStepAttempts1764400500000 } from './migrations/1764400500000-update-step-attempts';
import { ListChangeLog1764400600000 } from './migrations/1764400600000-list-change-log';
import { AudienceNumbers1764400700000 } from './migrations/1764400700000-audience-numbers';
import { ResolvedLinksSeq1764401450000 } from './migrations/1764401450000-resolved-links-seq';
import { ResolutionByReplica1764401100000 } from './migrations/1764401100000-resolution-by-replica';
import { UpdateTraceparent1764401610000 } from './migrations/1764401610000-update-traceparent';
import { FileDeliveries1764401810000 } from './migrations/1764401810000-file-deliveries';

export const audienceExportService: ServiceDescriptor = {
  name: 'audience-export',
  schema: 'audience_export',
  defaultPort: 3003,
  title: 'audience-hub audience export',
  description: '"Update shared audience": Campaign lists become XC shared audiences.',
  holdsSubjectIdentifiers: true,
  migrations: [
    ...MESSAGING_MIGRATIONS,
    RevokedCredentials1764400000100,
    CampaignLists1764400100000,
    SharedAudiences1764400200000,
    AudienceMemberCounts1764400300000,
    UpdateStepAttempts1764400500000,
    ListChangeLog1764400600000,
    AudienceNumbers1764400700000,
    IdentityReplica1764401000000,
    ResolutionByReplica1764401100000,
    DataSourceNormalization1764401200000,
    ByteOrderedText1764401400000,
    ResolvedLinksSeq1764401450000,
    AuditTrail1764401500000,
    UpdateTraceparent1764401610000,
    FileDeliveries1764401810000,
    Suppressions1764401900200,
    ChangelogPositions1765000000800,
    ReplicaPositionsTruncated1765000000810,
  ],
};
