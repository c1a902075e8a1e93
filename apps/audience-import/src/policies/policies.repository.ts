import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DataUsageLabel } from '@audience-hub/contracts';
import { query, queryRows } from '@audience-hub/persistence';
import { DEFAULT_DENIED_LABELS, MARKETING_ACTIONS, type MarketingAction, type Policy } from './governance';

@Injectable()
export class PoliciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The effective policy of every action: the org's own, else the default. */
  async all(orgId: string, tx: EntityManager = this.dataSource.manager): Promise<Policy[]> {
    const rows = await queryRows<{ action: MarketingAction; denied_labels: DataUsageLabel[] }>(tx, `SELECT action, denied_labels FROM policies WHERE org_id = $1`, [orgId]);
    const own = new Map(rows.map((row) => [row.action, row.denied_labels]));
    return MARKETING_ACTIONS.map((action) => {
      const labels = own.get(action);
      return labels ? { action, deniedLabels: labels, source: 'org' as const } : { action, deniedLabels: [...DEFAULT_DENIED_LABELS[action]], source: 'default' as const };
    });
  }

  async of(orgId: string, action: MarketingAction, tx?: EntityManager): Promise<Policy> {
    return (await this.all(orgId, tx)).find((policy) => policy.action === action)!;
  }

  async replace(tx: EntityManager, orgId: string, policies: Array<{ action: MarketingAction; deniedLabels: DataUsageLabel[] }>): Promise<void> {
    await query(tx, `DELETE FROM policies WHERE org_id = $1`, [orgId]);
    for (const policy of policies) {
      await query(tx, `INSERT INTO policies (org_id, action, denied_labels) VALUES ($1, $2, $3)`, [orgId, policy.action, [...new Set(policy.deniedLabels)]]);
    }
  }
}
