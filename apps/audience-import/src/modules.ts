import { PrivacyModule } from './privacy/privacy.module';
import { IdentityReplicaModule, KnownOrgsModule, SuppressionsModule, type ServiceModules } from '@audience-hub/platform';
import { AuditModule } from '@audience-hub/audit';
import { DeadLettersModule } from '@audience-hub/dead-letters';
import { AuthModule } from '@audience-hub/auth';
import { importConfigSchema } from './config';
import { DataSourcesModule } from './data-sources/data-sources.module';
import { CatalogModule } from './catalog/catalog.module';
import { PoliciesModule } from './policies/policies.module';
import { ImportsModule } from './imports/imports.module';
import { PendingModule } from './pending/pending.module';
import { LateLinksListener } from './pending/late-links.listener';
import { ListsModule } from './lists/lists.module';
import { FilesModule } from './files/files.module';

/** The service's modules and configuration: main.ts runs them, describeService documents them. */
export const audienceImportModules: ServiceModules = {
  imports: [
    AuthModule,
    AuditModule.forRoot(),
    DeadLettersModule,
    KnownOrgsModule.forRoot({ table: 'known_orgs' }),
    DataSourcesModule,
    CatalogModule,
    PoliciesModule,
    ImportsModule,
    IdentityReplicaModule.forRoot({ listener: LateLinksListener, imports: [PendingModule] }),
    ListsModule,
    FilesModule,
    SuppressionsModule,
    PrivacyModule,
  ],
  configSchema: importConfigSchema,
};
