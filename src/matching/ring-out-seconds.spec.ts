import { RingOutSeconds } from './ring-out-seconds';

describe('RingOutSeconds', () => {
  it('adds the job of a second once, and again once that second has come', async () => {
    const seconds = new RingOutSeconds();
    const add = jest.fn(() => Promise.resolve('job'));
    await seconds.once(100, 80_000, add);
    await seconds.once(100, 95_000, add);
    await seconds.once(101, 95_000, add);
    expect(add).toHaveBeenCalledTimes(2);
    // At 100 s the job of second 100 is due: an offer of that second (added late) gets its own add, which runs at once.
    await seconds.once(100, 100_000, add);
    expect(add).toHaveBeenCalledTimes(3);
  });

  it('forgets a failed add, so that the next offer of that second tries again', async () => {
    const seconds = new RingOutSeconds();
    const add = jest.fn().mockRejectedValueOnce(new Error('redis down')).mockResolvedValue('job');
    await expect(seconds.once(200, 180_000, add)).rejects.toThrow('redis down');
    await expect(seconds.once(200, 180_001, add)).resolves.toBe('job');
    await seconds.once(200, 180_002, add);
    expect(add).toHaveBeenCalledTimes(2);
  });

  it('lets offers made while the first add is under way wait for that same add', async () => {
    const seconds = new RingOutSeconds();
    let done!: () => void;
    const add = jest.fn(() => new Promise<void>((r) => (done = r)));
    const first = seconds.once(300, 280_000, add);
    const second = seconds.once(300, 280_010, add);
    expect(second).toBe(first);
    done();
    await Promise.all([first, second]);
    expect(add).toHaveBeenCalledTimes(1);
  });
});
