import { leastLoaded, RESTART_BASE_MS, RESTART_MAX_MS, restartDelay, workerLogLevel } from './worker-slots';

describe('leastLoaded', () => {
  it('picks the live worker with the fewest routers', () => {
    expect(
      leastLoaded([
        { index: 0, alive: true, routers: 3 },
        { index: 1, alive: true, routers: 1 },
        { index: 2, alive: true, routers: 2 },
      ]),
    ).toBe(1);
  });

  it('skips dead workers even when they have no routers', () => {
    expect(
      leastLoaded([
        { index: 0, alive: false, routers: 0 },
        { index: 1, alive: true, routers: 5 },
      ]),
    ).toBe(1);
  });

  it('breaks ties by the lowest slot whatever the order given', () => {
    expect(
      leastLoaded([
        { index: 2, alive: true, routers: 1 },
        { index: 0, alive: true, routers: 1 },
        { index: 1, alive: true, routers: 4 },
      ]),
    ).toBe(0);
  });

  it('returns null when no worker is alive or there are none', () => {
    expect(leastLoaded([{ index: 0, alive: false, routers: 0 }])).toBeNull();
    expect(leastLoaded([])).toBeNull();
  });

  it('spreads routers evenly when each choice is counted', () => {
    const slots = [0, 1, 2].map((index) => ({ index, alive: true, routers: 0 }));
    for (let i = 0; i < 9; i++) slots[leastLoaded(slots)!].routers++;
    expect(slots.map((s) => s.routers)).toEqual([3, 3, 3]);
  });
});

describe('restartDelay', () => {
  it('starts at the base delay and doubles', () => {
    expect(restartDelay(0)).toBe(RESTART_BASE_MS);
    expect(restartDelay(1)).toBe(RESTART_BASE_MS * 2);
    expect(restartDelay(3)).toBe(RESTART_BASE_MS * 8);
  });

  it('never exceeds the ceiling, even for absurd counts', () => {
    expect(restartDelay(20)).toBe(RESTART_MAX_MS);
    expect(restartDelay(10_000)).toBe(RESTART_MAX_MS);
  });

  it('treats negative or fractional counts as their floor, never below the base', () => {
    expect(restartDelay(-5)).toBe(RESTART_BASE_MS);
    expect(restartDelay(1.7)).toBe(RESTART_BASE_MS * 2);
  });
});

describe('workerLogLevel', () => {
  it('maps the application levels onto the worker levels', () => {
    expect(workerLogLevel('trace')).toBe('debug');
    expect(workerLogLevel('debug')).toBe('debug');
    expect(workerLogLevel('info')).toBe('warn');
    expect(workerLogLevel('warn')).toBe('warn');
    expect(workerLogLevel('error')).toBe('error');
    expect(workerLogLevel('fatal')).toBe('error');
    expect(workerLogLevel('silent')).toBe('none');
  });
});
