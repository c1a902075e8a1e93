import { Global, Module } from '@nestjs/common';
import { SuppressionsRepository } from './suppressions.repository';

/** The suppression list (migration Suppressions1764401900200), for every service that checks it. */
@Global()
@Module({ providers: [SuppressionsRepository], exports: [SuppressionsRepository] })
export class SuppressionsModule {}
