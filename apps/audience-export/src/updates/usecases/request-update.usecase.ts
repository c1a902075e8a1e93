import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ExportMode, UpdateRow } from '../update';
import { UpdatesRepository } from '../updates.repository';

export interface UpdateRequest {
  orgId: string;
  sharedAudienceId: string;
  listId: string;
  mode: ExportMode;
  /** Campaign's request id: the same request twice makes one update. */
  requestId?: string;
}

/** Queues an update run (pending); the runner starts it when the shared audience's earlier runs are done. */
@Injectable()
export class RequestUpdateUseCase {
  constructor(private readonly updates: UpdatesRepository) {}

  async execute(tx: EntityManager, request: UpdateRequest): Promise<UpdateRow> {
    const created = await this.updates.insert(tx, { ...request, id: `upd-${randomUUID()}` });
    if (!created) {
      const existing = await this.updates.findByRequest(tx, request.orgId, request.requestId!);
      if (!existing) throw new Error(`update for request ${request.requestId} vanished`);
      return existing;
    }
    await this.updates.notifyRunner(tx);
    return created;
  }
}
