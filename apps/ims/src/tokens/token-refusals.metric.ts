import { Counter } from 'prom-client';
import { metricsRegistry } from '@audience-hub/observability';

/** Token requests refused: `invalid_client` (wrong secret or unknown client), `locked` (429 from the brake), `rate_limited` (429, the address's rate). */
export const tokenRefusals = new Counter({
  name: 'ims_token_refusals_total',
  help: 'Token requests refused, by reason: invalid_client (wrong secret or unknown client id), locked (brute-force brake, 429), rate_limited (an address over its request rate on this instance, 429).',
  labelNames: ['reason'],
  registers: [metricsRegistry],
});
