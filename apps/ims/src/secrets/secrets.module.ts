import { Module } from '@nestjs/common';
import { SecretsController } from './secrets.controller';
import { AddSecretUseCase } from './usecases/add-secret.usecase';
import { RemoveSecretUseCase } from './usecases/remove-secret.usecase';

@Module({ controllers: [SecretsController], providers: [AddSecretUseCase, RemoveSecretUseCase] })
export class SecretsModule {}
