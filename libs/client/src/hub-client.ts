import type {
  AuditQuery,
  AuditRecord,
  CreateDataSource,
  DeadLetter,
  DeadLetterDetail,
  RedriveRequest,
  CreateImport,
  DataSource,
  DataSourceStats,
  ExportMode,
  FileReport,
  ImportView,
  Page,
  PageQuery,
  Policy,
  Readiness,
  TokenValidation,
  CreatePrivacyRequest,
  PrivacyRequest,
  Resolution,
  ResolveDirection,
  SharedAudience,
  SnapshotDryRun,
  UpdateDryRun,
  UpdateView,
  XcAudience,
} from './api.types';
import { HttpTransport, type TransportOptions } from './http-transport';
import { ClientCredentialsTokenSource, StaticTokenSource, type ClientCredentials, type TokenSource } from './token-source';

/** Where the four services answer (the defaults are `npm run up`'s ports). */
export interface HubUrls {
  ims: string;
  idReconciliation: string;
  audienceImport: string;
  audienceExport: string;
}

export const DEFAULT_HUB_URLS: HubUrls = {
  ims: 'http://127.0.0.1:3000',
  idReconciliation: 'http://127.0.0.1:3001',
  audienceImport: 'http://127.0.0.1:3002',
  audienceExport: 'http://127.0.0.1:3003',
};

export interface HubClientOptions extends Omit<TransportOptions, 'tokens'> {
  urls?: Partial<HubUrls>;
  /** Client credentials (tokens fetched and refreshed), a token, or any token source. */
  auth: Omit<ClientCredentials, 'imsUrl'> | { token: string } | TokenSource;
}

const page = (query: PageQuery = {}) => ({ limit: query.limit, cursor: query.cursor });
const id = encodeURIComponent;

/** A typed client of the hub's REST API, one property per service. */
export class HubClient {
  readonly urls: HubUrls;
  readonly tokens: TokenSource;
  readonly ims: ImsApi;
  readonly identities: IdentitiesApi;
  readonly imports: ImportsApi;
  readonly exports: ExportsApi;
  /** Each consuming service's dead letters. */
  readonly deadLetters: Record<ConsumingService, DeadLettersApi>;
  /** Each service's audit trail. */
  readonly audit: Record<HubService, AuditApi>;

  constructor(options: HubClientOptions) {
    this.urls = { ...DEFAULT_HUB_URLS, ...options.urls };
    const { auth } = options;
    this.tokens =
      'token' in auth && typeof auth.token === 'string'
        ? new StaticTokenSource(auth.token)
        : 'clientId' in auth
          ? new ClientCredentialsTokenSource({ ...auth, imsUrl: this.urls.ims }, options.fetch)
          : (auth as TokenSource);
    const transport = (url: string) => new HttpTransport(url, { ...options, tokens: this.tokens });
    this.ims = new ImsApi(transport(this.urls.ims));
    this.identities = new IdentitiesApi(transport(this.urls.idReconciliation));
    this.imports = new ImportsApi(transport(this.urls.audienceImport));
    this.exports = new ExportsApi(transport(this.urls.audienceExport));
    this.deadLetters = {
      'id-reconciliation': new DeadLettersApi(this.identities.http),
      'audience-import': new DeadLettersApi(this.imports.http),
      'audience-export': new DeadLettersApi(this.exports.http),
    };
    this.audit = {
      ims: new AuditApi(this.ims.http),
      'id-reconciliation': new AuditApi(this.identities.http),
      'audience-import': new AuditApi(this.imports.http),
      'audience-export': new AuditApi(this.exports.http),
    };
  }

  /** A service's readiness (GET /health/ready): its Postgres, Kafka and consumer checks. A service not ready answers 503, retried like any 503, then thrown. */
  readiness(service: HubService): Promise<Readiness> {
    const http = { ims: this.ims.http, 'id-reconciliation': this.identities.http, 'audience-import': this.imports.http, 'audience-export': this.exports.http }[service];
    return http.request('GET', 'health/ready');
  }
}

export type HubService = 'ims' | ConsumingService;

/** One service's audit trail of the caller's org, newest first (scope audit.read; platform operators also see platform actions). */
export class AuditApi {
  constructor(readonly http: HttpTransport) {}

  list(query: AuditQuery = {}): Promise<Page<AuditRecord>> {
    return this.http.request('GET', 'v1/audit-events', { query: { ...query } });
  }
}

/** The services that consume events, and so dead-letter some. */
export const CONSUMING_SERVICES = ['id-reconciliation', 'audience-import', 'audience-export'] as const;
export type ConsumingService = (typeof CONSUMING_SERVICES)[number];

/** One service's dead letters of the caller's org (scope dead-letters.manage). */
export class DeadLettersApi {
  constructor(readonly http: HttpTransport) {}

  list(filter: { topic?: string; type?: string; limit?: number } = {}): Promise<{ items: DeadLetter[] }> {
    return this.http.request('GET', 'v1/dead-letters', { query: filter });
  }
  get(deadLetterId: string): Promise<DeadLetterDetail> {
    return this.http.request('GET', `v1/dead-letters/${id(deadLetterId)}`);
  }
  /** Sends the letters back to their topics; `dryRun` only says which. */
  redrive(body: RedriveRequest): Promise<{ dryRun: boolean; redriven: DeadLetter[] }> {
    return this.http.request('POST', 'v1/dead-letters/redrive', { body });
  }
}

/** Every item of a paged route, page after page. */
export async function* allPages<T>(fetchPage: (query: PageQuery) => Promise<Page<T>>, limit = 1000): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const result = await fetchPage({ limit, cursor });
    yield* result.items;
    cursor = result.nextCursor ?? undefined;
  } while (cursor);
}

export interface TechnicalAccount {
  id: string;
  orgId: string;
  name: string;
  clientId: string;
  scopes: string[];
  [more: string]: unknown;
}

/** The IMS's org-admin routes (tokens themselves come from the token source). */
export class ImsApi {
  constructor(readonly http: HttpTransport) {}

  /** Whether a token is valid now, and why not (signature, expiry, issuer, audience, revocation). */
  validateToken(token: string): Promise<TokenValidation> {
    return this.http.request('POST', 'ims/validate_token/v1', { body: { token, type: 'access_token' } });
  }
  createOrg(body: { name: string; adminAccount?: { name: string; scopes: string[] } }): Promise<{ orgId: string; adminAccount?: TechnicalAccount & { clientSecret: string } }> {
    return this.http.request('POST', 'v1/orgs', { body });
  }
  accounts(orgId: string, query?: PageQuery): Promise<Page<TechnicalAccount>> {
    return this.http.request('GET', `v1/orgs/${id(orgId)}/technical-accounts`, { query: page(query) });
  }
  createAccount(orgId: string, body: { name: string; scopes: string[] }): Promise<TechnicalAccount & { clientSecret: string }> {
    return this.http.request('POST', `v1/orgs/${id(orgId)}/technical-accounts`, { body });
  }
  account(accountId: string): Promise<TechnicalAccount> {
    return this.http.request('GET', `v1/technical-accounts/${id(accountId)}`);
  }
  revoke(accountId: string): Promise<TechnicalAccount> {
    return this.http.request('POST', `v1/technical-accounts/${id(accountId)}/revoke`);
  }
  addSecret(accountId: string): Promise<{ secretId: string; clientSecret: string }> {
    return this.http.request('POST', `v1/technical-accounts/${id(accountId)}/secrets`);
  }
  deleteSecret(accountId: string, secretId: string): Promise<void> {
    return this.http.request('DELETE', `v1/technical-accounts/${id(accountId)}/secrets/${id(secretId)}`);
  }
  /** Signs with a new key from now on, for every org (platform operators only); tokens signed before stay valid. */
  rotateSigningKeys(): Promise<{ kid: string; previousKid?: string; previousPublishedUntil?: string }> {
    return this.http.request('POST', 'v1/signing-keys/rotate');
  }
}

/** id-reconciliation: data sources, resolution, a recipient's identities. */
export class IdentitiesApi {
  constructor(readonly http: HttpTransport) {}

  dataSources(query?: PageQuery): Promise<Page<DataSource>> {
    return this.http.request('GET', 'v1/data-sources', { query: page(query) });
  }
  dataSource(dataSourceId: string): Promise<DataSource> {
    return this.http.request('GET', `v1/data-sources/${id(dataSourceId)}`);
  }
  createDataSource(body: CreateDataSource): Promise<DataSource> {
    return this.http.request('POST', 'v1/data-sources', { body });
  }
  updateDataSource(dataSourceId: string, body: Partial<Omit<CreateDataSource, 'id' | 'idType'>>): Promise<DataSource> {
    return this.http.request('PATCH', `v1/data-sources/${id(dataSourceId)}`, { body });
  }
  deleteDataSource(dataSourceId: string): Promise<void> {
    return this.http.request('DELETE', `v1/data-sources/${id(dataSourceId)}`);
  }
  stats(dataSourceId: string): Promise<DataSourceStats> {
    return this.http.request('GET', `v1/data-sources/${id(dataSourceId)}/stats`);
  }
  /** At most MAX_SYNC_RESOLVE_IDS ids per call. */
  resolve(body: { dataSourceId: string; direction: ResolveDirection; ids: string[] }): Promise<Resolution> {
    return this.http.request('POST', 'v1/resolve', { body });
  }
  recipientIdentities(recipientId: string): Promise<unknown> {
    return this.http.request('GET', `v1/recipients/${id(recipientId)}/identities`);
  }
  /** Accepted at once: follow it with privacyRequest(requestId) until `completed` (or `partial`). The same idempotency key answers the first request again. */
  createPrivacyRequest(body: CreatePrivacyRequest, options: { idempotencyKey?: string } = {}): Promise<PrivacyRequest> {
    return this.http.request('POST', 'v1/privacy/requests', { body, headers: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : undefined });
  }
  privacyRequest(requestId: string): Promise<PrivacyRequest> {
    return this.http.request('GET', `v1/privacy/requests/${id(requestId)}`);
  }
}

/** audience-import: the XC audience catalog, imports, imported lists, files, policies. */
export class ImportsApi {
  constructor(readonly http: HttpTransport) {}

  audiences(query?: PageQuery): Promise<Page<XcAudience>> {
    return this.http.request('GET', 'v1/xc-audiences', { query: page(query) });
  }
  audience(audienceId: string): Promise<XcAudience> {
    return this.http.request('GET', `v1/xc-audiences/${id(audienceId)}`);
  }
  create(body: CreateImport): Promise<ImportView> {
    return this.http.request('POST', 'v1/imports', { body });
  }
  /** What the audience's last received full snapshot would do to each open import if it arrived again now; nothing is written (404 when none is kept). */
  dryRunSnapshot(audienceId: string): Promise<SnapshotDryRun> {
    return this.http.request('POST', 'v1/imports/dry-run', { body: { audienceId } });
  }
  list(query?: PageQuery): Promise<Page<ImportView>> {
    return this.http.request('GET', 'v1/imports', { query: page(query) });
  }
  get(importId: string): Promise<ImportView> {
    return this.http.request('GET', `v1/imports/${id(importId)}`);
  }
  decisions(importId: string, query?: PageQuery): Promise<Page<ImportView['decision'] & object>> {
    return this.http.request('GET', `v1/imports/${id(importId)}/decisions`, { query: page(query) });
  }
  members(listId: string, query?: PageQuery): Promise<Page<{ recipientId: string }>> {
    return this.http.request('GET', `v1/lists/${id(listId)}/members`, { query: page(query) });
  }
  /** An Audience Manager outbound file; `name` is its outbound file name (`.gz` for gzip). */
  /** With `dryRun`, the report says what the file would do to each import (`effects`) and nothing is written. */
  uploadFile(name: string, content: Uint8Array | string, options: { dryRun?: boolean } = {}): Promise<FileReport> {
    return this.http.request('POST', 'v1/files', { query: { name, ...(options.dryRun ? { dryRun: 'true' } : {}) }, body: content, contentType: 'application/octet-stream' });
  }
  file(fileId: string): Promise<FileReport> {
    return this.http.request('GET', `v1/files/${id(fileId)}`);
  }
  policies(): Promise<Policy[]> {
    return this.http.request('GET', 'v1/policies');
  }
  setPolicies(policies: Array<Omit<Policy, 'source'>>): Promise<Policy[]> {
    return this.http.request('PUT', 'v1/policies', { body: policies });
  }
}

/** audience-export: shared audiences, their update runs, the lists it copied. */
export class ExportsApi {
  constructor(readonly http: HttpTransport) {}

  create(body: { segmentName: string; dataSourceId: string }): Promise<SharedAudience> {
    return this.http.request('POST', 'v1/shared-audiences', { body });
  }
  list(query?: PageQuery): Promise<Page<SharedAudience>> {
    return this.http.request('GET', 'v1/shared-audiences', { query: page(query) });
  }
  get(sharedAudienceId: string): Promise<SharedAudience> {
    return this.http.request('GET', `v1/shared-audiences/${id(sharedAudienceId)}`);
  }
  /** "Update shared audience": exports a list into it. */
  update(sharedAudienceId: string, body: { listId: string; mode?: ExportMode }): Promise<{ id: string; state: UpdateView['state'] }> {
    return this.http.request('POST', `v1/shared-audiences/${id(sharedAudienceId)}/updates`, { body });
  }
  /** What an update would do now (counts, governance), with nothing written. */
  dryRunUpdate(sharedAudienceId: string, body: { listId: string; mode?: ExportMode }): Promise<UpdateDryRun> {
    return this.http.request('POST', `v1/shared-audiences/${id(sharedAudienceId)}/updates`, { body: { ...body, dryRun: true } });
  }
  getUpdate(sharedAudienceId: string, updateId: string): Promise<UpdateView> {
    return this.http.request('GET', `v1/shared-audiences/${id(sharedAudienceId)}/updates/${id(updateId)}`);
  }
  unmapped(sharedAudienceId: string, updateId: string, query?: PageQuery): Promise<Page<{ recipientId: string }>> {
    return this.http.request('GET', `v1/shared-audiences/${id(sharedAudienceId)}/updates/${id(updateId)}/unmapped`, { query: page(query) });
  }
  /** audience-export's copy of a Campaign list (learned from campaign.lists.v1). */
  campaignList(listId: string): Promise<{ listId: string; label: string | null; memberCount: number; createdAt: string; updatedAt: string; deleted: boolean }> {
    return this.http.request('GET', `v1/lists/${id(listId)}`);
  }
}
