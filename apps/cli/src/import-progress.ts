import { FINAL_STATES, type ImportView } from '@audience-hub/client';
import { percent } from './context';
import type { ProgressFrame } from './progress';

/** Whether an import watch is over: a final state and no snapshot arriving. */
export const importSettled = (view: ImportView): boolean => FINAL_STATES.has(view.state) && view.receiving === null;

/**
 * The progress of an import's current snapshot: parts received of the parts expected (known once
 * the last part arrived; until then one more than received), its ids matched and unmatched so far,
 * the match rate, elapsed time and, with the total known, the ETA at the rate parts came so far.
 * A settled import is at 100% with its counts.
 */
export function importFrame(view: ImportView, watchStartedAt: number, now: number, lastParts = 0): ProgressFrame {
  const run = view.receiving;
  if (!run) {
    const settled = importSettled(view);
    const parts = settled ? Math.max(lastParts, 1) : 0;
    const total = Math.max(lastParts, 1);
    return {
      value: settled ? total : 0,
      total,
      detail: `${view.state} | parts ${settled ? `${parts}/${total}` : '0/?'} | matched ${view.counts.matched} unmatched ${view.counts.unmatched} | match rate ${percent(view.matchRate)}`,
      elapsedSeconds: (now - watchStartedAt) / 1000,
      etaSeconds: settled ? 0 : undefined,
    };
  }
  const started = Math.min(Date.parse(run.startedAt), now);
  const elapsedSeconds = (now - Math.min(started, watchStartedAt)) / 1000;
  const known = run.lastPart !== null;
  const total = known ? run.lastPart! + 1 : run.partsReceived + 1;
  const resolved = run.matched + run.unmatched;
  const etaSeconds = known && run.partsReceived > 0 ? (elapsedSeconds / run.partsReceived) * (total - run.partsReceived) : undefined;
  return {
    value: run.partsReceived,
    total,
    detail: `${view.state} | parts ${run.partsReceived}/${known ? total : '?'} | matched ${run.matched} unmatched ${run.unmatched} | match rate ${percent(resolved === 0 ? 0 : run.matched / resolved)}`,
    elapsedSeconds,
    etaSeconds,
  };
}
