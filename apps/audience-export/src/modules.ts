import { DataSourceCopiesModule, IdentityReplicaModule, KnownOrgsModule, SuppressionsModule, type ServiceModules } from '@audience-hub/platform';
import { AuditModule } from '@audience-hub/audit';
import { DeadLettersModule } from '@audience-hub/dead-letters';
import { AuthModule } from '@audience-hub/auth';
import { audienceExportConfigSchema } from './config';
import { IdentityClocksListener } from './identity/identity-clocks.listener';
import { IdentityClocksModule } from './identity/identity-clocks.module';
import { ListsModule } from './lists/lists.module';
import { SharedAudiencesModule } from './shared-audiences/shared-audiences.module';
import { UpdatesModule } from './updates/updates.module';
import { PrivacyModule } from './privacy/privacy.module';

/** The service's modules and configuration: main.ts runs them, describeService documents them. */
export const audienceExportModules: ServiceModules = {
  imports: [
    AuthModule,
    AuditModule.forRoot(),
    DeadLettersModule,
    ListsModule,
    KnownOrgsModule.forRoot({ table: 'known_orgs', createdAtColumn: 'created_at', alsoKnownFrom: 'data_sources' }),
    DataSourceCopiesModule,
    // The replica of id-reconciliation's identity graph that updates resolve against (consumer group <KAFKA_CONSUMER_GROUP>.identity-links).
    IdentityReplicaModule.forRoot({ listener: IdentityClocksListener, imports: [IdentityClocksModule] }),
    SharedAudiencesModule,
    UpdatesModule,
    SuppressionsModule,
    PrivacyModule,
  ],
  configSchema: audienceExportConfigSchema,
};
