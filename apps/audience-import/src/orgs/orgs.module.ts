import { Global, Module } from '@nestjs/common';
import { OrgEventsConsumer } from './org-events.consumer';
import { OrgsRepository } from './orgs.repository';
import { OrgsService } from './orgs.service';

@Global()
@Module({ controllers: [OrgEventsConsumer], providers: [OrgsRepository, OrgsService], exports: [OrgsService] })
export class OrgsModule {}
