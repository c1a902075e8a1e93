import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { audienceImportService } from './service';

runService(audienceImportService, { imports: [] });
