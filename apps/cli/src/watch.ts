import { CommandOutcome, ExitCodes } from './exit-codes';
import { progressDisplay, type ProgressFrame } from './progress';
import type { CliContext } from './context';

export interface WatchOptions {
  interval?: string;
  timeout?: string;
}

/** Watch flags shared by every `watch` (and `--watch` of start/update). */
export const WATCH_FLAGS = [
  ['--interval <ms>', 'how often to poll', '1000'],
  ['--timeout <seconds>', 'give up (exit 1) after this long'],
] as const;

/**
 * Polls `read` until `settled`, showing each state as a frame (a bar on a TTY, lines elsewhere,
 * nothing with --json); returns the last state read.
 */
export async function watchUntil<T>(
  context: CliContext,
  options: WatchOptions,
  read: () => Promise<T>,
  settled: (value: T) => boolean,
  frame: (value: T, startedAt: number, now: number) => ProgressFrame,
): Promise<T> {
  const intervalMs = Math.max(50, Number(options.interval ?? 1000));
  const deadline = options.timeout ? Date.now() + Number(options.timeout) * 1000 : Infinity;
  const display = context.json ? undefined : progressDisplay(context.stdout);
  const startedAt = Date.now();
  try {
    for (;;) {
      const value = await read();
      display?.update(frame(value, startedAt, Date.now()));
      if (settled(value)) return value;
      if (Date.now() > deadline) throw new CommandOutcome(ExitCodes.failed, `still not done after ${options.timeout} s`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    display?.stop();
  }
}
