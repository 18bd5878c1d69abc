import type { Queue } from 'bull';
import { RepeatingSweep } from './repeating-sweep';

describe('RepeatingSweep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function fakeQueue() {
    const add = jest.fn().mockResolvedValue(undefined);
    return { queue: { add } as unknown as Queue, add };
  }

  it('adds the repeatable sweep at start, with its period in milliseconds and a fixed job id', async () => {
    const { queue, add } = fakeQueue();
    await new RepeatingSweep(queue, 1.5, 2000).start();
    expect(add).toHaveBeenCalledTimes(1);
    expect(add).toHaveBeenCalledWith('sweep', {}, expect.objectContaining({ repeat: { every: 1500 }, jobId: 'sweep' }));
  });

  it('re-adds it every four periods (at least the minimum) until stopped, so a chain a dead node broke is mended', async () => {
    const { queue, add } = fakeQueue();
    const sweep = new RepeatingSweep(queue, 2, 5000);
    await sweep.start();
    jest.advanceTimersByTime(7999);
    expect(add).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(add).toHaveBeenCalledTimes(2);
    sweep.stop();
    jest.advanceTimersByTime(80_000);
    expect(add).toHaveBeenCalledTimes(2);
  });

  it('never re-adds more often than the minimum, and survives a failed re-add', async () => {
    const { queue, add } = fakeQueue();
    const sweep = new RepeatingSweep(queue, 0.1, 2000);
    await sweep.start();
    add.mockRejectedValueOnce(new Error('redis down'));
    jest.advanceTimersByTime(1999);
    expect(add).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    await Promise.resolve();
    jest.advanceTimersByTime(2000);
    expect(add).toHaveBeenCalledTimes(3);
    sweep.stop();
  });
});
