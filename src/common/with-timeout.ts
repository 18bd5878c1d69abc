/**
 * The promise's result, or a rejection with `message` once `ms` have passed (the timer is cleared either way, so
 * it never keeps a node alive). The promise itself is not cancelled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
