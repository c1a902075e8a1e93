// main.ts's first import: tracing (when on) hooks http, express, pg and kafkajs before they load.
import { startTracing } from '@audience-hub/observability';

startTracing('audience-import');
