import { applyDecorators, Catch, Controller, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter replaces any error with "Internal server error"; the consumer needs
 * the original one to tell a rejected event from a transient failure.
 */
@Catch()
export class RethrowRpcFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** Marks a class whose `@EventPattern` methods consume events; their errors reach the consumer intact. */
export function EventsController(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(RethrowRpcFilter));
}
