import { DynamicModule, Global, Module, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ScopeDenialListener } from '@audience-hub/auth';
import { AuditAttempts } from './audit-attempts';
import { AuditEventsController } from './audit-events.controller';
import { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail';
import { ListAuditEventsUseCase } from './usecases/list-audit-events.usecase';

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
    return {
      module: AuditModule,
      controllers: [options.guards?.length ? guarded(options.guards) : AuditEventsController],
      providers: [
        AuditRepository,
        AuditTrail,
        AuditAttempts,
        ListAuditEventsUseCase,
        { provide: ScopeDenialListener, useExisting: AuditAttempts },
        { provide: APP_INTERCEPTOR, useExisting: AuditAttempts },
      ],
      exports: [AuditTrail, ScopeDenialListener],
    };
  }
}

/** A subclass with the guards, leaving AuditEventsController itself as it is for the other services (described in one process by `npm run openapi`). */
function guarded(guards: Array<Type<CanActivate>>): Type<AuditEventsController> {
  class GuardedAuditEventsController extends AuditEventsController {}
  UseGuards(...guards)(GuardedAuditEventsController);
  Object.defineProperty(GuardedAuditEventsController, 'name', { value: AuditEventsController.name });
  return GuardedAuditEventsController;
}
