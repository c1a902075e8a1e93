import { Module } from '@nestjs/common';
import { OrgEventsConsumer } from './org-events.consumer';
import { OrgsRepository } from './orgs.repository';

@Module({ controllers: [OrgEventsConsumer], providers: [OrgsRepository], exports: [OrgsRepository] })
export class OrgsModule {}
