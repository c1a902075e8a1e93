import { CampaignImportEventTypes } from './events/campaign-imports.schema';
import { CampaignListEventTypes } from './events/campaign-lists.schema';
import { CampaignRecipientEventTypes } from './events/campaign-recipients.schema';
import { CampaignSharedAudienceRequestEventTypes } from './events/campaign-shared-audience-requests.schema';
import { CampaignSharedAudienceResultEventTypes } from './events/campaign-shared-audience-results.schema';
import { CampaignVisitorEventTypes } from './events/campaign-visitor-observations.schema';
import { HubAuditEventTypes } from './events/hub-audit.schema';
import { HubPrivacyEventTypes } from './events/hub-privacy.schema';
import { HubRejectionEventTypes } from './events/hub-rejections.schema';
import { IdrecIdentityEventTypes } from './events/idrec-identities.schema';
import { IdrecDataSourceEventTypes } from './events/idrec-data-sources.schema';
import { ImsEventTypes } from './events/ims-events.schema';
import { XcAudienceEventTypes } from './events/xc-audiences.schema';
import { XcSharedAudienceEventTypes } from './events/xc-campaign-audiences.schema';

/** Every event type name. Services use these constants, never string literals. */
export const EventTypes = {
  ...CampaignRecipientEventTypes,
  ...CampaignVisitorEventTypes,
  ...CampaignListEventTypes,
  ...CampaignSharedAudienceRequestEventTypes,
  ...XcAudienceEventTypes,
  ...XcSharedAudienceEventTypes,
  ...CampaignImportEventTypes,
  ...CampaignSharedAudienceResultEventTypes,
  ...IdrecIdentityEventTypes,
  ...IdrecDataSourceEventTypes,
  ...ImsEventTypes,
  ...HubRejectionEventTypes,
  ...HubAuditEventTypes,
  ...HubPrivacyEventTypes,
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];
