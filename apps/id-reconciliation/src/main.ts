import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { idReconciliationService } from './service';

runService(idReconciliationService, { imports: [] });
