import { Module } from '@nestjs/common';
import { JwksController } from './jwks.controller';
import { SigningKeysController } from './signing-keys.controller';
import { SigningKeysService } from './signing-keys.service';

@Module({ controllers: [JwksController, SigningKeysController], providers: [SigningKeysService], exports: [SigningKeysService] })
export class KeysModule {}
