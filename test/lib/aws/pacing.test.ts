import { expect } from 'chai';
import { AdaptiveRateLimiter } from '../../../ts/lib/aws/pacing.js';

/** A virtual clock: sleeping advances time instantly, so pacing is checked without waiting. */
function virtualClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    elapsed: () => t,
  };
}

describe('AdaptiveRateLimiter', () => {
  it('paces 200 requests at 40/s to about 5 virtual seconds', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter({ ratePerSec: 40, now: clock.now, sleep: clock.sleep });
    await Promise.all(Array.from({ length: 200 }, () => limiter.acquire()));
    expect(clock.elapsed()).to.be.within(4900, 5100);
  });

  it('slows down on throttles and recovers on successes, never above the ceiling', () => {
    const limiter = new AdaptiveRateLimiter({ ratePerSec: 40 });
    limiter.onThrottle();
    expect(limiter.currentRate).to.equal(28);
    for (let i = 0; i < 100; i += 1) limiter.onSuccess();
    expect(limiter.currentRate).to.equal(40);
  });

  it('does not pace when the rate is unlimited', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter({ ratePerSec: 0, now: clock.now, sleep: clock.sleep });
    await Promise.all(Array.from({ length: 1000 }, () => limiter.acquire()));
    expect(clock.elapsed()).to.equal(0);
  });
});

describe('peakRssMb', () => {
  it("reports this process's own high-water mark, at least its current RSS", async () => {
    const { peakRssMb } = await import('../../../ts/lib/support/memory.js');
    const current = process.memoryUsage().rss / 1048576;
    expect(peakRssMb()).to.be.at.least(Math.floor(current) - 1);
  });
});
