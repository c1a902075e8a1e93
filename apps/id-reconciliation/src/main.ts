import './tracing';
import 'reflect-metadata';
import { runService, SuppressionsModule } from '@audience-hub/platform';
import { AuditModule } from '@audience-hub/audit';
import { DeadLettersModule } from '@audience-hub/dead-letters';
import { AuthModule } from '@audience-hub/auth';
import { idReconciliationService } from './service';
import { IdentitiesModule } from './identities.module';

runService(idReconciliationService, { imports: [AuthModule, AuditModule.forRoot(), DeadLettersModule, SuppressionsModule, IdentitiesModule] });
