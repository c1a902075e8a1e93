export * from './config';
export * from './service-descriptor';
export * from './hub-service.module';
export * from './service-lifecycle';
export * from './bootstrap';
export * from './problem';
export * from './tokens';
export * from './public';
