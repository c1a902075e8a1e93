import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { DiscoveryController } from './discovery.controller';
import { AddressRateLimit } from './address-rate-limit';
import { BruteForceBrake } from './brute-force-brake.service';
import { TokenFailuresRepository } from './token-failures.repository';
import { TokensController } from './tokens.controller';
import { IssueTokenUseCase } from './usecases/issue-token.usecase';

@Module({ imports: [KeysModule], controllers: [TokensController, DiscoveryController], providers: [IssueTokenUseCase, BruteForceBrake, TokenFailuresRepository, AddressRateLimit] })
export class TokensModule {}
