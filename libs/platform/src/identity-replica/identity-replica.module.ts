import { DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { IDENTITY_CHANGES_LISTENER, type IdentityChangesListener } from './identity-changes.listener';
import { IdentityReplicaConsumer } from './identity-replica.consumer';
import { IdentityReplicaRepository } from './identity-replica.repository';

/**
 * A replica of id-reconciliation's identity graph in the service's own schema (migration
 * IdentityReplica1764401000000), kept from the compacted idrec.identity-links.v1 by a consumer of
 * its own. `listener` acts on every batch of changed links in the replica's transaction.
 */
@Global()
@Module({})
export class IdentityReplicaModule {
  static forRoot(options: { listener?: Type<IdentityChangesListener>; imports?: DynamicModule['imports'] } = {}): DynamicModule {
    return {
      module: IdentityReplicaModule,
      imports: options.imports ?? [],
      providers: [IdentityReplicaRepository, IdentityReplicaConsumer, ...(options.listener ? [{ provide: IDENTITY_CHANGES_LISTENER, useExisting: options.listener }] : [])],
      exports: [IdentityReplicaRepository],
    };
  }
}
