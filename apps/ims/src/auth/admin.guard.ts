import { Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ScopeDenialListener, Scopes } from '@audience-hub/auth';
import { AccessTokenValidator } from './access-token.validator';
import { ImsScopeGuard } from './ims-scope.guard';

/** Org administration (`ims.admin`): accounts, secrets and revocation of the caller's own org. */
@Injectable()
export class AdminGuard extends ImsScopeGuard {
  constructor(validator: AccessTokenValidator, reflector: Reflector, @Optional() denials?: ScopeDenialListener) {
    super(validator, reflector, Scopes.imsAdmin, denials);
  }
}
