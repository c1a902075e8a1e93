import { Injectable } from '@nestjs/common';
import { Scopes } from '@audience-hub/auth';
import { AccessTokenValidator } from './access-token.validator';
import { ImsScopeGuard } from './ims-scope.guard';

/** Org administration (`ims.admin`): accounts, secrets and revocation of the caller's own org. */
@Injectable()
export class AdminGuard extends ImsScopeGuard {
  constructor(validator: AccessTokenValidator) {
    super(validator, Scopes.imsAdmin);
  }
}
