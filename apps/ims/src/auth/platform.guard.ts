import { Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ScopeDenialListener, Scopes } from '@audience-hub/auth';
import { AccessTokenValidator } from './access-token.validator';
import { ImsScopeGuard } from './ims-scope.guard';

/** Platform-wide actions (`ims.platform`): creating orgs, rotating the signing keys every org's tokens hang on. */
@Injectable()
export class PlatformGuard extends ImsScopeGuard {
  constructor(validator: AccessTokenValidator, reflector: Reflector, @Optional() denials?: ScopeDenialListener) {
    super(validator, reflector, Scopes.imsPlatform, denials);
  }
}
