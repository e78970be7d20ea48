import { expect } from 'chai';
import sinon from 'sinon';
import { createLogger, type LogEvent } from '../../../ts/lib/support/log.js';
import { startProgress, humanDuration } from '../../../ts/lib/support/progress.js';

describe('progress lines', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0 });
  });
  afterEach(() => clock.restore());

  it('prints done/total, rate, throttles and ETA at INFO every interval, nothing before', () => {
    const events: LogEvent[] = [];
    let throttles = 0;
    const p = startProgress(
      createLogger((e) => events.push(e)),
      'Collect',
      { total: 5000, unit: 'parameters', throttles: () => throttles },
    );
    p.add(100);
    clock.tick(11_999);
    expect(events).to.have.length(0);
    p.add(380);
    throttles = 2;
    clock.tick(1);
    expect(events).to.have.length(1);
    expect(events[0].level).to.equal('info');
    expect(events[0].message).to.equal('Collect: 480/5,000 parameters (9%), 40.0/s, 2 throttled, ETA 1m 53s, elapsed 12s');
    expect(events[0].fields?.progress).to.deep.include({ phase: 'Collect', done: 480, total: 5000, throttles: 2, etaSec: 113 });
    p.stop();
    clock.tick(60_000);
    expect(events).to.have.length(1);
  });

  it('without a total prints the count and rate only', () => {
    const events: LogEvent[] = [];
    const p = startProgress(
      createLogger((e) => events.push(e)),
      'Describe',
      { unit: 'names' },
    );
    p.add(1200);
    clock.tick(12_000);
    expect(events[0].message).to.equal('Describe: 1,200 names, 100.0/s, elapsed 12s');
    p.stop();
  });

  it('formats durations as a person reads them', () => {
    expect(humanDuration(252.32)).to.equal('4m 12s');
    expect(humanDuration(12)).to.equal('12s');
    expect(humanDuration(3780)).to.equal('1h 3m');
  });
});
