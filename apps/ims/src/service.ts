import { AuditTrail1764401500000 } from '@audience-hub/audit';
import { ByteOrderedText1764401400000 } from '@audience-hub/persistence';
import type { ServiceDescriptor } from '@audience-hub/platform';
import { MESSAGING_MIGRATIONS } from '@audience-hub/messaging';
import { ImsCredentials1764400200000 } from './migrations/1764400200000-ims-credentials';
import { TokenFailures1764401620000 } from './migrations/1764401620000-token-failures';

export const imsService: ServiceDescriptor = {
  name: 'ims',
  schema: 'ims',
  defaultPort: 3000,
  title: 'audience-hub IMS',
  description: 'OAuth 2.0 identity service: orgs, technical accounts, client secrets, signing keys and access tokens.',
  holdsSubjectIdentifiers: false,
  migrations: [...MESSAGING_MIGRATIONS, ImsCredentials1764400200000, ByteOrderedText1764401400000, AuditTrail1764401500000, TokenFailures1764401620000],
};

/** CloudEvents `source` of everything the IMS publishes. */
export const IMS_EVENT_SOURCE = '/audience-hub/ims';
