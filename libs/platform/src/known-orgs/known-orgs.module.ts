import { DynamicModule, Global, Module } from '@nestjs/common';
import { KNOWN_ORGS_OPTIONS, type KnownOrgsOptions } from './known-orgs.options';
import { KnownOrgsRepository } from './known-orgs.repository';
import { KnownOrgsService } from './known-orgs.service';
import { OrgEventsConsumer } from './org-events.consumer';

/**
 * The orgs a service knows (KnownOrgsService), learned from `ims.org.created` into a table of its
 * schema. A service whose options need its own providers (id-reconciliation's `onFirstSeen`) lists
 * OrgEventsConsumer, KnownOrgsRepository, KnownOrgsService and a KNOWN_ORGS_OPTIONS factory in its
 * own module instead.
 */
@Global()
@Module({})
export class KnownOrgsModule {
  static forRoot(options: KnownOrgsOptions): DynamicModule {
    return {
      module: KnownOrgsModule,
      controllers: [OrgEventsConsumer],
      providers: [{ provide: KNOWN_ORGS_OPTIONS, useValue: options }, KnownOrgsRepository, KnownOrgsService],
      exports: [KnownOrgsService],
    };
  }
}
