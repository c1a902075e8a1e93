export * from './infra';
export * from './wait-for';
export * from './kafka-probe';
export * from './service-launcher';
export * from './factories';
export * from './test-env';
export * from './ims-test-client';
export * from './org-isolation';
