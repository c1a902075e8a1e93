import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { AuditTargetSchema, type AuditTarget } from '@audience-hub/contracts';
import { ScopeDenialListener, type AuthenticatedRequest, type Principal } from '@audience-hub/auth';
import { toProblem } from '@audience-hub/platform';
import { actorOf } from './audit-actor';
import { AuditTrail } from './audit-trail';
import { AUDITED_ACTION, type AuditedRoute } from './audited.decorator';

type RouteRequest = AuthenticatedRequest & { headers: Record<string, string | undefined>; params?: Record<string, string> };

/** Errors that mean nothing was attempted (a malformed request, no valid token): not recorded, so they cannot flood the trail. */
const NOT_ATTEMPTS = new Set([400, 401, 422]);

/**
 * Records attempts at privileged (`@Audited`) routes that did not succeed: a caller the guard
 * refused for lack of scope (denied), and an error out of the use case (403: denied; 404, 409,
 * 5xx: failed). Successes are recorded by the use cases, in their transactions.
 */
@Injectable()
export class AuditAttempts extends ScopeDenialListener implements NestInterceptor {
  private readonly logger = new Logger('audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly trail: AuditTrail,
  ) {
    super();
  }

  async denied(principal: Principal, context: ExecutionContext, reason: string): Promise<void> {
    await this.recordAttempt(context, principal, 403, reason);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.routeOf(context)) return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        const principal = context.switchToHttp().getRequest<RouteRequest>().principal;
        const problem = toProblem(error);
        const reason = problem.type.slice(problem.type.lastIndexOf('/') + 1);
        const recorded = principal ? this.recordAttempt(context, principal, problem.status, reason) : Promise.resolve();
        return from(recorded).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }

  private async recordAttempt(context: ExecutionContext, principal: Principal, status: number, reason: string): Promise<void> {
    const route = this.routeOf(context);
    if (!route || NOT_ATTEMPTS.has(status)) return;
    const request = context.switchToHttp().getRequest<RouteRequest>();
    try {
      await this.trail.recordAttempt({
        action: route.action,
        actor: actorOf(principal, request.headers),
        target: targetOf(route, request.params ?? {}),
        outcome: status === 403 ? 'denied' : 'failed',
        reason: /^[a-z0-9-]{1,64}$/.test(reason) ? reason : undefined,
      });
    } catch (error) {
      // The caller still gets its answer; the lost record is an operator's alert.
      this.logger.error(`cannot record a ${route.action} attempt: ${(error as Error).message}`);
    }
  }

  private routeOf(context: ExecutionContext): AuditedRoute | undefined {
    return this.reflector.getAllAndOverride<AuditedRoute>(AUDITED_ACTION, [context.getHandler(), context.getClass()]);
  }
}

/** The target ids a route's parameters name; a parameter that is not a well-formed id is left out. */
function targetOf(route: AuditedRoute, params: Record<string, string>): AuditTarget {
  const target: Record<string, string> = {};
  for (const [field, param] of Object.entries(route.targetParams)) {
    const value = params[param];
    const schema = AuditTargetSchema.shape[field as keyof AuditTarget];
    if (value !== undefined && schema.safeParse(value).success) target[field] = value;
  }
  return target;
}
