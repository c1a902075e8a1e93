import './tracing';
import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { AuthModule } from '@audience-hub/auth';
import { idReconciliationService } from './service';
import { IdentitiesModule } from './identities.module';

runService(idReconciliationService, { imports: [AuthModule, IdentitiesModule] });
