import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { AuthModule } from '@audience-hub/auth';
import { audienceExportService } from './service';
import { ListsModule } from './lists/lists.module';

runService(audienceExportService, { imports: [AuthModule, ListsModule] });
