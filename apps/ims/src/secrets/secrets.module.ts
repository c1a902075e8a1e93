import { Module } from '@nestjs/common';
import { SecretsController } from './secrets.controller';
import { AddSecretUsecase } from './usecases/add-secret.usecase';
import { RemoveSecretUsecase } from './usecases/remove-secret.usecase';

@Module({ controllers: [SecretsController], providers: [AddSecretUsecase, RemoveSecretUsecase] })
export class SecretsModule {}
