import { Global, Module } from '@nestjs/common';
import { PoliciesController } from './policies.controller';
import { PoliciesRepository } from './policies.repository';

@Global()
@Module({ controllers: [PoliciesController], providers: [PoliciesRepository], exports: [PoliciesRepository] })
export class PoliciesModule {}
