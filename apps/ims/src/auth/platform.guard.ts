import { Injectable } from '@nestjs/common';
import { Scopes } from '@audience-hub/auth';
import { AccessTokenValidator } from './access-token.validator';
import { ImsScopeGuard } from './ims-scope.guard';

/** Platform-wide actions (`ims.platform`): creating orgs, rotating the signing keys every org's tokens hang on. */
@Injectable()
export class PlatformGuard extends ImsScopeGuard {
  constructor(validator: AccessTokenValidator) {
    super(validator, Scopes.imsPlatform);
  }
}
