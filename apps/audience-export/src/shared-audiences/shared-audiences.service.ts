import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { createEvent, EventTypes } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import type { DataSourceDefinition } from '@audience-hub/platform';
import { SharedAudiencesRepository, type SharedAudienceRow } from './shared-audiences.repository';

export const EXPORT_SOURCE = '/audience-hub/audience-export';

/** Defining shared audiences: the row and its `xc.shared-audience.defined` commit together. */
@Injectable()
export class SharedAudiencesService {
  constructor(private readonly audiences: SharedAudiencesRepository) {}

  /** Creates a shared audience, or returns undefined when the org already has one of that name. */
  async define(tx: EntityManager, orgId: string, segmentName: string, dataSource: DataSourceDefinition): Promise<SharedAudienceRow | undefined> {
    const created = await this.audiences.insert(tx, orgId, `sa-${randomUUID()}`, segmentName, dataSource.dataSourceId);
    if (!created) return undefined;
    await enqueueEvents(tx, [
      createEvent({
        type: EventTypes.xcSharedAudienceDefined,
        source: EXPORT_SOURCE,
        orgId,
        aggregateId: created.id,
        data: {
          sharedAudienceId: created.id,
          segmentName,
          dataSource: { id: dataSource.dataSourceId, name: dataSource.name, idType: dataSource.idType, integrationCode: dataSource.integrationCode },
        },
      }),
    ]);
    return created;
  }
}
