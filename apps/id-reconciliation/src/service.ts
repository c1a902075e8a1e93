import { AuditTrail1764401500000 } from '@audience-hub/audit';
import { ByteOrderedText1764401400000 } from '@audience-hub/persistence';
import { Suppressions1764401900200, type ServiceDescriptor } from '@audience-hub/platform';
import { MESSAGING_MIGRATIONS } from '@audience-hub/messaging';
import { RevokedCredentials1764400000100 } from '@audience-hub/auth';
import { Identities1764400200000 } from './migrations/1764400200000-identities';
import { RecipientUpdateRank1764401450000 } from './migrations/1764401450000-recipient-update-rank';
import { IngestionIndexes1764401300000 } from './migrations/1764401300000-ingestion-indexes';
import { PrivacyRequests1764401900100 } from './migrations/1764401900100-privacy-requests';
import { ObservationsByRecipient1765000000101 } from './migrations/1765000000101-observations-by-recipient';
import { DeletedRecipients1765000000500 } from './migrations/1765000000500-deleted-recipients';
import { DeclaredIdsByRecipientFirst1765000000600 } from './migrations/1765000000600-declared-ids-by-recipient-first';

export const idReconciliationService: ServiceDescriptor = {
  name: 'id-reconciliation',
  schema: 'idrec',
  defaultPort: 3001,
  title: 'audience-hub ID reconciliation',
  description: "Data sources, recipients' key values and visitor links, and resolution of XC ids to recipients and back.",
  holdsSubjectIdentifiers: true,
  migrations: [
    ...MESSAGING_MIGRATIONS,
    RevokedCredentials1764400000100,
    Identities1764400200000,
    IngestionIndexes1764401300000,
    ByteOrderedText1764401400000,
    RecipientUpdateRank1764401450000,
    AuditTrail1764401500000,
    PrivacyRequests1764401900100,
    Suppressions1764401900200,
    ObservationsByRecipient1765000000101,
    DeletedRecipients1765000000500,
    DeclaredIdsByRecipientFirst1765000000600,
  ],
};
