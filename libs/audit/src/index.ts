export * from './audit-trail.migration';
export * from './audit-actor';
export * from './audited.decorator';
export * from './audit.repository';
export * from './audit-trail';
export * from './audit-attempts';
export * from './platform-operator';
export * from './audit.module';
