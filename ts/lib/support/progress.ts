import type { Logger } from './log.js';
import { formatNumber } from './format.js';

/** Progress lines come at most this often (ms) at INFO on long work; short work prints none. */
export const PROGRESS_INTERVAL_MS = 12_000;

export interface ProgressOptions {
  /** Items expected in all, when known (gives a percentage and an ETA). */
  total?: number;
  /** Unit shown after counts: "parameters", "objects"... */
  unit?: string;
  /** Throttled attempts so far (read at each line), e.g. () => aws.stats.throttles. */
  throttles?: () => number;
  intervalMs?: number;
  now?: () => number;
}

export interface Progress {
  /** Adds `n` done items. */
  add(n?: number): void;
  /** Sets the total once it becomes known. */
  setTotal(total: number): void;
  readonly done: number;
  /** Stops the timer; prints nothing. */
  stop(): void;
}

/** "4m 12s", "12s", "1h 3m": durations as a person reads them. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/**
 * Reports a long phase at INFO every `intervalMs` (default 12 s): `<phase>: 1,200/5,000 parameters (24%), 40.1/s,
 * 0 throttled, ETA 1m 35s`. The same numbers go into the event's fields for `--log-format json`. The timer is
 * unref'd, so it never keeps the process alive; call `stop()` when the phase ends.
 */
export function startProgress(logger: Logger, phase: string, opts: ProgressOptions = {}): Progress {
  const now = opts.now ?? Date.now;
  const started = now();
  const unit = opts.unit ?? 'items';
  let done = 0;
  let total = opts.total;
  const line = () => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = total !== undefined && rate > 0 ? (total - done) / rate : undefined;
    const throttles = opts.throttles?.();
    const parts = [
      total !== undefined
        ? `${formatNumber(done)}/${formatNumber(total)} ${unit} (${total ? Math.floor((done / total) * 100) : 100}%)`
        : `${formatNumber(done)} ${unit}`,
      `${rate.toFixed(1)}/s`,
      throttles !== undefined ? `${throttles} throttled` : undefined,
      eta !== undefined ? `ETA ${humanDuration(eta)}` : undefined,
      `elapsed ${humanDuration(elapsed)}`,
    ].filter(Boolean);
    logger.info(`${phase}: ${parts.join(', ')}`, {
      progress: {
        phase,
        done,
        total,
        ratePerSec: Number(rate.toFixed(2)),
        throttles,
        etaSec: eta === undefined ? undefined : Math.round(eta),
        elapsedSec: Math.round(elapsed),
      },
    });
  };
  const timer = setInterval(line, opts.intervalMs ?? PROGRESS_INTERVAL_MS);
  timer.unref();
  return {
    add(n = 1) {
      done += n;
    },
    setTotal(t) {
      total = t;
    },
    get done() {
      return done;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
