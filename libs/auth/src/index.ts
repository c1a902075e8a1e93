export * from './scopes';
export * from './claims';
export * from './principal';
export * from './token-verifier';
export * from './revocations';
export * from './decorators';
export * from './ims-auth.guard';
export * from './auth.module';
