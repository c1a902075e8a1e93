import { type ServiceModules, SuppressionsModule } from '@audience-hub/platform';
import { AuditModule } from '@audience-hub/audit';
import { DeadLettersModule } from '@audience-hub/dead-letters';
import { AuthModule } from '@audience-hub/auth';
import { IdentitiesModule } from './identities.module';

/** The service's modules and configuration: main.ts runs them, describeService documents them. */
export const idReconciliationModules: ServiceModules = { imports: [AuthModule, AuditModule.forRoot(), DeadLettersModule, SuppressionsModule, IdentitiesModule] };
