import { DynamicModule, Global, Module, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ScopeDenialListener } from '@audience-hub/auth';
import { AuditAttempts } from './audit-attempts';
import { AuditEventsController } from './audit-events.controller';
import { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail';

export interface AuditModuleOptions {
  /**
   * Guards of GET /v1/audit-events for a service without the global ImsAuthGuard (the IMS checks
   * tokens with its own guard); they must honour `@RequireScopes`.
   */
  guards?: Array<Type<CanActivate>>;
}

/**
 * The audit trail of a service: AuditTrail for its use cases, the recording of denied and failed
 * attempts at `@Audited` routes, and GET /v1/audit-events. Its schema needs the AuditTrail migration.
 */
@Global()
@Module({})
export class AuditModule {
  static forRoot(options: AuditModuleOptions = {}): DynamicModule {
    if (options.guards?.length) UseGuards(...options.guards)(AuditEventsController);
    return {
      module: AuditModule,
      controllers: [AuditEventsController],
      providers: [
        AuditRepository,
        AuditTrail,
        AuditAttempts,
        { provide: ScopeDenialListener, useExisting: AuditAttempts },
        { provide: APP_INTERCEPTOR, useExisting: AuditAttempts },
      ],
      exports: [AuditTrail, ScopeDenialListener],
    };
  }
}
