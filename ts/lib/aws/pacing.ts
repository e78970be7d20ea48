/**
 * Client-side pacing for one API group (for example SSM's Get* calls, 40 requests/s by default).
 * A token bucket that starts at the configured rate and adapts: it backs off multiplicatively on a
 * throttle and recovers additively on success (AIMD), never above the configured ceiling.
 */
export interface RateLimiterOptions {
  /** Requests per second; 0 or Infinity disables pacing. */
  ratePerSec: number;
  /** Burst size in tokens (default: one second of the rate, at least 1). */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class AdaptiveRateLimiter {
  private readonly ceiling: number;
  private rate: number;
  private tokens: number;
  private readonly burst: number;
  private last: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private chain: Promise<void> = Promise.resolve();

  constructor(opts: RateLimiterOptions) {
    this.ceiling = opts.ratePerSec > 0 ? opts.ratePerSec : Infinity;
    this.rate = this.ceiling;
    this.burst = opts.burst ?? Math.max(1, Math.min(this.ceiling, 1000));
    // Start with a small credit, not a full bucket: a fresh process should not burst into a
    // quota that other callers (an earlier run a second ago) may already have drained.
    this.tokens = Math.min(1, this.burst);
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.last = this.now();
  }

  get currentRate(): number {
    return this.rate;
  }

  /** Resolves when the caller may send one request. Callers are served in order. */
  acquire(): Promise<void> {
    if (this.rate === Infinity) return Promise.resolve();
    const turn = this.chain.then(() => this.take());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }

  private lastCut = -Infinity;

  /**
   * A throttle answer: slow down to 70% (at least 1 request/s) and drop the saved burst. Requests
   * in flight together are throttled together: cut at most once per second, like TCP once per RTT.
   */
  onThrottle(): void {
    if (this.ceiling === Infinity) return;
    const t = this.now();
    this.tokens = Math.min(this.tokens, 0);
    if (t - this.lastCut < 1000) return;
    this.lastCut = t;
    this.rate = Math.max(1, this.rate * 0.7);
  }

  /** A success: creep back towards the ceiling. */
  onSuccess(): void {
    if (this.rate < this.ceiling) this.rate = Math.min(this.ceiling, this.rate + this.ceiling * 0.02);
  }
}
