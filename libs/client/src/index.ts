// The library's only door: a typed client of the hub's REST API and a producer of upstream events.
export * from './api.types';
export * from './retry-policy';
export * from './token-source';
export * from './http-transport';
export * from './hub-client';
export * from './upstream-events';
export * from './event-producer';
