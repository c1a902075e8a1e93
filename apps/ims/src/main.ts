import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { imsService } from './service';

runService(imsService, { imports: [] });
