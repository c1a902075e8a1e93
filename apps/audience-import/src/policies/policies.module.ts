import { Global, Module } from '@nestjs/common';
import { PoliciesController } from './policies.controller';
import { PoliciesRepository } from './policies.repository';
import { ReplacePoliciesUsecase } from './usecases/replace-policies/replace-policies.usecase';

@Global()
@Module({ controllers: [PoliciesController], providers: [PoliciesRepository, ReplacePoliciesUsecase], exports: [PoliciesRepository] })
export class PoliciesModule {}
