import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { audienceExportService } from './service';
import { ListsModule } from './lists/lists.module';

runService(audienceExportService, { imports: [ListsModule] });
