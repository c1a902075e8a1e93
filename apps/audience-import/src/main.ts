import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { AuthModule } from '@audience-hub/auth';
import { audienceImportService } from './service';

runService(audienceImportService, { imports: [AuthModule] });
