import './tracing';
import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { imsModules } from './modules';
import { imsService } from './service';

runService(imsService, imsModules);
