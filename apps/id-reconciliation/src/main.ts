import './tracing';
import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { idReconciliationModules } from './modules';
import { idReconciliationService } from './service';

runService(idReconciliationService, idReconciliationModules);
