import { Injectable } from '@nestjs/common';
import type { Policy } from '../governance';
import { PoliciesRepository } from '../policies.repository';

/** GET /v1/policies: per marketing action, the labels that forbid it (the defaults for actions the org never set). */
@Injectable()
export class GetPoliciesUseCase {
  constructor(private readonly policies: PoliciesRepository) {}

  execute(orgId: string): Promise<Policy[]> {
    return this.policies.all(orgId);
  }
}
