import { Counter } from 'prom-client';
import { metricsRegistry } from '@audience-hub/observability';

/** Token requests refused: `invalid_client` (wrong secret or unknown client) and `locked` (429 from the brake). */
export const tokenRefusals = new Counter({
  name: 'ims_token_refusals_total',
  help: 'Token requests refused, by reason: invalid_client (wrong secret or unknown client id), locked (brute-force brake, 429).',
  labelNames: ['reason'],
  registers: [metricsRegistry],
});
