import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  afterEach(() => jest.useRealTimers());

  it("gives the promise's result when it comes first", async () => {
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('own')), 1000)).rejects.toThrow('own');
  });

  it('rejects with its message when the time passes first, and leaves no timer behind', async () => {
    jest.useFakeTimers();
    const late = withTimeout(new Promise(() => undefined), 500, 'worker did not answer');
    jest.advanceTimersByTime(500);
    await expect(late).rejects.toThrow('worker did not answer');
    await withTimeout(Promise.resolve(1), 500);
    expect(jest.getTimerCount()).toBe(0);
  });
});
