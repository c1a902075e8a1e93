import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FileEntry, FileTransport } from '@audience-hub/platform';
import type { FileOutcome } from '../file-report';
import { isRefusal } from '../file-refusal';
import { PickedUpFilesRepository, type PickedUpFileKey } from '../picked-up-files.repository';
import { PICKUP_FOLDERS } from '../pickup/pickup-retention';
import { ImportFileUseCase } from './import-file.usecase';

/** `busy`: another instance holds the file; `done`: taken before, only its move was left to do. */
export type PickUpResult = 'applied' | 'refused' | 'busy' | 'done';

/**
 * Takes one settled file from a pickup location exactly once: its row (name, size, version) is
 * locked for the whole import, so across instances and restarts one takes it; the import streams
 * the file through the same path as an upload; then the file goes to processed/ or rejected/
 * beside its report. A failed move is done again at a later poll from the kept report, without
 * importing twice; any other failure leaves the file in place for the next poll.
 */
@Injectable()
export class PickUpFileUseCase {
  private readonly logger = new Logger('pickup');

  constructor(
    private readonly dataSource: DataSource,
    private readonly pickedUp: PickedUpFilesRepository,
    private readonly importFile: ImportFileUseCase,
  ) {}

  async execute(orgId: string, transport: FileTransport, entry: FileEntry): Promise<PickUpResult> {
    const key: PickedUpFileKey = { orgId, location: transport.location, entry };
    await this.pickedUp.register(key);
    return this.dataSource.transaction(async (tx) => {
      const claim = await this.pickedUp.claim(tx, key);
      if (!claim) return 'busy';
      const taken = claim.state === 'claimed';
      const outcome = taken ? await this.import(orgId, transport, entry.name) : claim.report!;
      if (taken) await this.pickedUp.finish(tx, key, outcome);
      try {
        await this.file(transport, entry.name, outcome);
      } catch (error) {
        // The outcome commits all the same: the next poll only moves the file.
        this.logger.warn(`${entry.name}: ${outcome.state}, but not moved yet: ${(error as Error).message}`);
      }
      return taken ? outcome.state : 'done';
    });
  }

  private async import(orgId: string, transport: FileTransport, name: string): Promise<FileOutcome> {
    const body = await transport.read(name);
    try {
      return await this.importFile.execute(orgId, name, 'pickup', body);
    } catch (error) {
      body.destroy();
      if (!isRefusal(error)) throw error;
      return { name, state: 'refused', reason: (error as Error).message };
    }
  }

  private async file(transport: FileTransport, name: string, outcome: FileOutcome): Promise<void> {
    const folder = PICKUP_FOLDERS[outcome.state];
    await transport.write(`${folder}/${name}.report.json`, Readable.from([JSON.stringify(outcome, null, 2)]));
    await transport.move(name, `${folder}/${name}`);
  }
}
