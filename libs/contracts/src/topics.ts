/** Every Kafka topic of the hub. Services use these constants, never string literals. */
export const Topics = {
  campaignRecipients: 'campaign.recipients.v1',
  campaignVisitorObservations: 'campaign.visitor-observations.v1',
  campaignLists: 'campaign.lists.v1',
  campaignSharedAudienceRequests: 'campaign.shared-audience-requests.v1',
  xcAudiences: 'xc.audiences.v1',
  xcCampaignAudiences: 'xc.campaign-audiences.v1',
  campaignImports: 'campaign.imports.v1',
  campaignSharedAudienceResults: 'campaign.shared-audience-results.v1',
  idrecIdentityLinks: 'idrec.identity-links.v1',
  idrecDataSources: 'idrec.data-sources.v1',
  imsEvents: 'ims.events.v1',
  hubRejections: 'hub.rejections.v1',
  hubAudit: 'hub.audit.v1',
  hubDeadLetter: 'hub.dead-letter.v1',
  hubPrivacy: 'hub.privacy.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly Topic[] = Object.freeze(Object.values(Topics));

export const isTopic = (value: unknown): value is Topic => (ALL_TOPICS as readonly unknown[]).includes(value);

/** The hub's own services. */
export const HUB_SERVICES = ['ims', 'id-reconciliation', 'audience-import', 'audience-export'] as const;
/** Who else writes or reads the hub's topics. */
export const OUTSIDE_PARTIES = ['Campaign', 'XC', 'operators'] as const;

export type Party = (typeof HUB_SERVICES)[number] | (typeof OUTSIDE_PARTIES)[number];

export interface TopicInfo {
  producers: readonly Party[];
  consumers: readonly Party[];
  summary: string;
}

// The services that consume anything; each dead-letters what it cannot apply.
const CONSUMING_SERVICES: readonly Party[] = ['id-reconciliation', 'audience-import', 'audience-export'];

/** Who writes and who reads each topic (rendered into TOPICS.md and docs/asyncapi.yaml). */
export const TOPIC_INFO: Readonly<Record<Topic, TopicInfo>> = {
  'campaign.recipients.v1': {
    producers: ['Campaign'],
    consumers: ['id-reconciliation'],
    summary: 'Recipient profiles and the attributes reconciliation keys match on.',
  },
  'campaign.visitor-observations.v1': {
    producers: ['Campaign'],
    consumers: ['id-reconciliation'],
    summary: 'A recipient seen with an ECID; the most recent observation of an ECID wins.',
  },
  'campaign.lists.v1': {
    producers: ['Campaign'],
    consumers: ['audience-export'],
    summary: 'Campaign lists and their membership, in chunks.',
  },
  'campaign.shared-audience-requests.v1': {
    producers: ['Campaign'],
    consumers: ['audience-export'],
    summary: '"Update shared audience" activity requests, from Campaign workflows.',
  },
  'xc.audiences.v1': {
    producers: ['XC'],
    consumers: ['audience-import'],
    summary: 'Audiences shared by XC solutions, their labels and membership snapshots.',
  },
  'xc.campaign-audiences.v1': {
    producers: ['audience-export'],
    consumers: ['XC'],
    summary: 'Shared audiences exported from Campaign lists and their versioned membership changes.',
  },
  'campaign.imports.v1': {
    producers: ['audience-import'],
    consumers: ['Campaign'],
    summary: 'Imported-list membership changes and the outcome of each import job.',
  },
  'campaign.shared-audience-results.v1': {
    producers: ['audience-export'],
    consumers: ['Campaign'],
    summary: "Outcome of each shared-audience update (the activity's two outcomes: exported, unmapped).",
  },
  'idrec.data-sources.v1': {
    producers: ['id-reconciliation'],
    consumers: ['audience-import', 'audience-export'],
    summary: 'Data source definitions (id type, integration code, export controls), latest per key (compacted).',
  },
  'idrec.identity-links.v1': {
    producers: ['id-reconciliation'],
    consumers: ['audience-import', 'audience-export'],
    summary:
      "The identity graph's changelog, compacted: the current recipient of each (data source, XC id), keyed `<orgid>:<dataSourceId>/<xcId>`; a tombstone (null value) when the id has none any more. Each consumer keeps a replica of the graph from it.",
  },
  'ims.events.v1': {
    producers: ['ims'],
    consumers: CONSUMING_SERVICES,
    summary: 'Org creations, credential revocations and signing-key rotations.',
  },
  'hub.rejections.v1': {
    producers: CONSUMING_SERVICES,
    consumers: ['Campaign', 'XC'],
    summary: 'Tells a producer that one of its events was invalid and sent to the dead-letter topic.',
  },
  'hub.audit.v1': {
    producers: HUB_SERVICES,
    consumers: ['operators'],
    summary:
      'The audit trail of every privileged action (who, what, target, outcome, trace id), one record per action, for a SIEM; each service also answers GET /v1/audit-events.',
  },
  'hub.privacy.v1': {
    producers: HUB_SERVICES,
    consumers: HUB_SERVICES,
    summary:
      "Privacy requests fanned out by id-reconciliation with the expanded identifiers (in clear, as the services need them), keyed `<orgid>:<requestId>`, and each service's receipt, keyed `<orgid>:<requestId>/<service>`. Compacted with 1 day retention; a finished request's key gets a tombstone, so identifiers do not outlive the request on the topic.",
  },
  'hub.dead-letter.v1': {
    producers: CONSUMING_SERVICES,
    consumers: ['operators'],
    summary: 'Invalid or repeatedly failing messages, kept as received with the reason.',
  },
};
