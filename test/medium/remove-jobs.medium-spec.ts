import Bull, { type Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { removeJobs } from '../../src/queue/remove-jobs';

/** Removing Bull jobs by id in one round trip, against the real Redis: what goes, what stays, what fails. */
describe('removeJobs', () => {
  const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let queue: Queue;
  beforeEach(() => {
    queue = new Bull(`remove-jobs-${randomUUID().slice(0, 8)}`, redis, { prefix: 'puente-medium' });
  });
  afterEach(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    // As QueueShutdown closes: without waiting for the worker's loop, and a "Connection is closed." from a blocking
    // command cut at that moment is no failure (the queue is closed either way).
    await queue.close(true).catch(() => undefined);
  });

  it('removes delayed jobs by id and leaves the others', async () => {
    await queue.add('offer-expire', { n: 1 }, { jobId: 'a', delay: 60_000 });
    await queue.add('offer-expire', { n: 2 }, { jobId: 'b', delay: 60_000 });
    await queue.add('offer-expire', { n: 3 }, { jobId: 'c', delay: 60_000 });
    await removeJobs(queue, ['a', 'c']);
    expect(await queue.getJob('a')).toBeNull();
    expect(await queue.getJob('c')).toBeNull();
    expect((await queue.getJob('b'))?.data).toEqual({ n: 2 });
    expect(await queue.getDelayedCount()).toBe(1);
  });

  it('accepts ids of jobs that are gone or never were', async () => {
    await expect(removeJobs(queue, ['never', 'nor-this'])).resolves.toBeUndefined();
    await expect(removeJobs(queue, [])).resolves.toBeUndefined();
  });

  it('leaves a job that a worker is running', async () => {
    let release!: () => void;
    const running = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const isRunning = new Promise<void>((r) => (started = r));
    void queue.process('offer-expire', async () => {
      started();
      await running;
    });
    const completed = new Promise<void>((r) => queue.once('completed', () => r()));
    await queue.add('offer-expire', {}, { jobId: 'busy' });
    await isRunning;
    try {
      await removeJobs(queue, ['busy']);
      expect(await (await queue.getJob('busy'))?.isActive()).toBe(true);
    } finally {
      release();
      await completed;
    }
  });

  it('rejects when Redis fails, rather than pretending the job went', async () => {
    await queue.add('offer-expire', {}, { jobId: 'a', delay: 60_000 });
    const client = queue.client as unknown as { removeJob: (...args: unknown[]) => Promise<number> };
    jest.spyOn(client, 'removeJob').mockRejectedValueOnce(new Error('Connection is closed.'));
    await expect(removeJobs(queue, ['a'])).rejects.toThrow('Connection is closed.');
    expect(await queue.getJob('a')).not.toBeNull();
  });
});
