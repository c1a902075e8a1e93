// The library's only door: a consuming service's dead letters over REST (list, show, redrive).
export * from './dead-letter';
export * from './dead-letters.schema';
export * from './dead-letters.service';
export * from './dead-letters.module';
