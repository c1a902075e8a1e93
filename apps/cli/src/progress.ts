import { SingleBar } from 'cli-progress';

/** One moment of long work: how far (value of total), what so far, and the time left if known. */
export interface ProgressFrame {
  value: number;
  total: number;
  /** e.g. `parts 2/5 | matched 10 unmatched 2 | match rate 83.3%` */
  detail: string;
  /** Seconds since the work started. */
  elapsedSeconds: number;
  /** Undefined while the total is unknown. */
  etaSeconds?: number;
}

export interface ProgressDisplay {
  update(frame: ProgressFrame): void;
  stop(): void;
}

export const seconds = (s: number | undefined): string => {
  if (s === undefined || !Number.isFinite(s)) return '?';
  const whole = Math.round(s);
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
};

const percentOf = (frame: ProgressFrame): number => (frame.total <= 0 ? 0 : Math.floor((frame.value / frame.total) * 100));

/** A live bar on a terminal; on anything else (a pipe, a file, CI logs) one plain line per change. */
export function progressDisplay(stream: NodeJS.WriteStream = process.stdout): ProgressDisplay {
  return stream.isTTY ? new BarDisplay(stream) : new LineDisplay(stream);
}

class BarDisplay implements ProgressDisplay {
  private readonly bar: SingleBar;
  private started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new SingleBar({
      stream,
      format: '{bar} {percent}% | {detail} | elapsed {elapsed} | ETA {eta_}',
      barsize: 30,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      hideCursor: true,
      // Redraws come from update(); elapsed time between polls is not worth a timer.
      fps: 5,
    });
  }

  update(frame: ProgressFrame): void {
    const payload = { percent: percentOf(frame), detail: frame.detail, elapsed: seconds(frame.elapsedSeconds), eta_: seconds(frame.etaSeconds) };
    if (!this.started) {
      this.bar.start(Math.max(frame.total, 1), frame.value, payload);
      this.started = true;
    } else {
      this.bar.setTotal(Math.max(frame.total, 1));
      this.bar.update(frame.value, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class LineDisplay implements ProgressDisplay {
  private last = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(frame: ProgressFrame): void {
    const line = `${percentOf(frame)}% | ${frame.detail}`;
    if (line === this.last) return;
    this.last = line;
    this.stream.write(`${line} | elapsed ${seconds(frame.elapsedSeconds)} | ETA ${seconds(frame.etaSeconds)}\n`);
  }

  stop(): void {}
}
