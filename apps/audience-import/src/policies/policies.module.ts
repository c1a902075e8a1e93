import { Global, Module } from '@nestjs/common';
import { PoliciesController } from './policies.controller';
import { PoliciesRepository } from './policies.repository';
import { ReplacePoliciesUseCase } from './usecases/replace-policies.usecase';

@Global()
@Module({ controllers: [PoliciesController], providers: [PoliciesRepository, ReplacePoliciesUseCase], exports: [PoliciesRepository] })
export class PoliciesModule {}
