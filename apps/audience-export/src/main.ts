import './tracing';
import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { audienceExportModules } from './modules';
import { audienceExportService } from './service';

runService(audienceExportService, audienceExportModules);
