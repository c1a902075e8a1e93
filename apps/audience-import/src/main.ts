import './tracing';
import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { audienceImportModules } from './modules';
import { audienceImportService } from './service';

runService(audienceImportService, audienceImportModules);
