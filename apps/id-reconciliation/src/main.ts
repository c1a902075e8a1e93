import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { AuthModule } from '@audience-hub/auth';
import { idReconciliationService } from './service';

runService(idReconciliationService, { imports: [AuthModule] });
