import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { DiscoveryController } from './discovery.controller';
import { TokenRateLimits } from './token-rate-limits';
import { TokensController } from './tokens.controller';
import { IssueTokenUsecase } from './usecases/issue-token.usecase';

@Module({ imports: [KeysModule], controllers: [TokensController, DiscoveryController], providers: [IssueTokenUsecase, TokenRateLimits] })
export class TokensModule {}
