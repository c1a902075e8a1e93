import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { errors, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { AuditActions, createEvent, EventTypes } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { CLOCK_TOLERANCE_SECONDS } from '@audience-hub/auth';
import { SERVICE_CONFIG } from '@audience-hub/platform';
import { parseMasterKey, type ImsConfig } from '../config';
import { newKid } from '../ids';
import { IMS_EVENT_SOURCE } from '../service';
import { KeyEncryption } from './key-encryption';
import { SigningKeysRepository, type SigningAlg } from './signing-keys.repository';

/** Signing keys belong to no tenant: their events carry this org id (the envelope requires one). */
export const IMS_SYSTEM_ORG_ID = '000000000000000000000000@AdobeOrg';
/** Beyond a token's lifetime, how long a retired key stays published (instances that had not yet seen the rotation). */
const PUBLISH_MARGIN_SECONDS = 300;

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  key: CryptoKey;
}

export interface Rotation {
  kid: string;
  previousKid?: string;
  previousPublishedUntil?: string;
}

/**
 * The current signing key (read per token, so every instance follows a rotation at once), the
 * published public keys, and rotation. Decrypted keys are cached by kid: a kid's key never changes.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger('signing-keys');
  private readonly encryption: KeyEncryption;
  private readonly imported = new Map<string, Promise<CryptoKey>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SigningKeysRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ImsConfig,
    private readonly audit: AuditTrail,
  ) {
    this.encryption = new KeyEncryption(parseMasterKey(config.IMS_MASTER_KEY));
  }

  /** The first start creates a key; every start proves the master key opens the current one. */
  async onModuleInit(): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.keys.lock(tx);
      if (await this.keys.current(tx)) return;
      const kid = await this.createCurrent(tx);
      this.logger.log(`created signing key ${kid} (${this.config.IMS_SIGNING_ALG})`);
    });
    try {
      await this.signingKey();
    } catch (error) {
      throw new Error(`cannot open the current signing key: IMS_MASTER_KEY is not the key it was encrypted with (${(error as Error).message})`);
    }
  }

  async signingKey(): Promise<SigningKey> {
    const current = await this.keys.current(this.dataSource.manager);
    if (!current) throw new Error('no current signing key');
    const key = await this.cached(`${current.kid}/private`, async () =>
      asCryptoKey(await importJWK(JSON.parse(this.encryption.decrypt(current.privateKeyEnc, current.kid)) as JWK, current.alg)),
    );
    return { kid: current.kid, alg: current.alg, key };
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.keys.published(this.dataSource.manager);
    return { keys: rows.map((row) => row.publicJwk) };
  }

  /** A published key for verifying a token signed with (kid, alg); jose's "no matching key" otherwise. */
  async verificationKey(kid: string | undefined, alg: string): Promise<CryptoKey> {
    const row = kid ? await this.keys.findPublished(this.dataSource.manager, kid) : undefined;
    if (!row || row.alg !== alg) throw new errors.JWKSNoMatchingKey();
    return this.cached(`${row.kid}/public`, async () => asCryptoKey(await importJWK(row.publicJwk, row.alg)));
  }

  /** New current key; the previous one keeps verifying until the last token it signed has expired. */
  async rotate(actor: AuditActor): Promise<Rotation> {
    const rotation = await this.dataSource.transaction(async (tx) => {
      await this.keys.lock(tx);
      const publishSeconds = this.config.IMS_TOKEN_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS + PUBLISH_MARGIN_SECONDS;
      const previous = await this.keys.retireCurrent(tx, publishSeconds);
      const kid = await this.createCurrent(tx, previous?.kid);
      await this.audit.record(tx, { action: AuditActions.signingKeysRotate, actor, target: { kid, ...(previous ? { previousKid: previous.kid } : {}) } });
      return { kid, previousKid: previous?.kid, previousPublishedUntil: previous?.publishedUntil.toISOString() };
    });
    if (rotation.previousKid) this.imported.delete(`${rotation.previousKid}/private`);
    this.logger.log(`rotated signing key ${rotation.previousKid ?? '(none)'} -> ${rotation.kid}`);
    return rotation;
  }

  private async createCurrent(tx: EntityManager, previousKid?: string): Promise<string> {
    const alg = this.config.IMS_SIGNING_ALG;
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const kid = newKid();
    const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const privateKeyEnc = this.encryption.encrypt(JSON.stringify(await exportJWK(privateKey)), kid);
    await this.keys.insert(tx, { kid, alg, publicJwk, privateKeyEnc });
    await enqueueEvents(tx, [
      createEvent({
        type: EventTypes.imsSigningKeyRotated,
        source: IMS_EVENT_SOURCE,
        orgId: IMS_SYSTEM_ORG_ID,
        aggregateId: 'signing-keys',
        data: { kid, ...(previousKid ? { previousKid } : {}), rotatedAt: new Date().toISOString() },
      }),
    ]);
    return kid;
  }

  private cached(name: string, load: () => Promise<CryptoKey>): Promise<CryptoKey> {
    let key = this.imported.get(name);
    if (!key) {
      key = load();
      key.catch(() => this.imported.delete(name));
      this.imported.set(name, key);
    }
    return key;
  }
}

function asCryptoKey(key: CryptoKey | Uint8Array): CryptoKey {
  if (key instanceof Uint8Array) throw new Error('expected an asymmetric key');
  return key;
}
