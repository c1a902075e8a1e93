import { Global, Module } from '@nestjs/common';
import { PoliciesController } from './policies.controller';
import { PoliciesRepository } from './policies.repository';
import { GetPoliciesUseCase } from './usecases/get-policies.usecase';
import { ReplacePoliciesUseCase } from './usecases/replace-policies.usecase';

@Global()
@Module({ controllers: [PoliciesController], providers: [PoliciesRepository, GetPoliciesUseCase, ReplacePoliciesUseCase], exports: [PoliciesRepository] })
export class PoliciesModule {}
