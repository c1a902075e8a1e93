export * from './data-source';
export * from './copy';
export * from './database-url';
export * from './pg-errors';
export * from './service-roles';
export * from './returned-rows';
export * from './byte-ordered-text.migration';
