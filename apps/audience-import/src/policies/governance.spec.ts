import { decideImport, DEFAULT_DENIED_LABELS, type Policy } from './governance';

const defaults: Policy = { action: 'import-into-campaign', deniedLabels: [...DEFAULT_DENIED_LABELS['import-into-campaign']], source: 'default' };
const visitor = { dataSourceId: 'visitor', exportControls: [] };

describe('decideImport', () => {
  it('allows an audience whose labels no policy forbids, naming the policy and the labels considered', () => {
    expect(decideImport({ audienceId: 'a', labels: ['I1', 'C2'], policy: defaults, dataSource: visitor })).toEqual({
      action: 'import-into-campaign',
      policy: 'default:import-into-campaign',
      labels: ['C2', 'I1'],
      allowed: true,
    });
  });

  it('denies by the default policy for C3 and C12, naming only the forbidding labels', () => {
    const decision = decideImport({ audienceId: 'a', labels: ['C12', 'C2', 'C3'], policy: defaults, dataSource: visitor });
    expect(decision).toMatchObject({ allowed: false, policy: 'default:import-into-campaign', labels: ['C3', 'C12'] });
    expect(decision.reason).toContain('C3, C12');
  });

  it("follows the org's own policy instead of the defaults", () => {
    const own: Policy = { action: 'import-into-campaign', deniedLabels: ['C5'], source: 'org' };
    expect(decideImport({ audienceId: 'a', labels: ['C3'], policy: own, dataSource: visitor }).allowed).toBe(true);
    expect(decideImport({ audienceId: 'a', labels: ['C5'], policy: own, dataSource: visitor })).toMatchObject({
      allowed: false,
      policy: 'org:import-into-campaign',
      labels: ['C5'],
    });
  });

  it('denies when the data source cannot be tied to PII, whatever the labels', () => {
    const crm = { dataSourceId: 'crm', exportControls: ['no-export-to-xc', 'cannot-be-tied-to-pii'] };
    expect(decideImport({ audienceId: 'a', labels: [], policy: defaults, dataSource: crm })).toMatchObject({
      allowed: false,
      policy: 'export-control:cannot-be-tied-to-pii',
      labels: [],
    });
  });

  it('lets other export controls pass', () => {
    const ds = { dataSourceId: 'crm', exportControls: ['no-export-to-xc', 'no-offsite-targeting'] };
    expect(decideImport({ audienceId: 'a', labels: [], policy: defaults, dataSource: ds }).allowed).toBe(true);
  });
});
