/**
 * A small seeded generator (mulberry32) so that a crowd test's choices can be replayed: each actor gets its
 * own stream, so its decisions do not depend on the order in which events of other actors arrive.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A different stream for actor `n`, derived from the seed alone (not from what was drawn so far). */
  fork(n: number): SeededRandom {
    return new SeededRandom((Math.imul(this.seed ^ 0x9e3779b9, 2654435761) + Math.imul(n + 1, 0x85ebca6b)) >>> 0);
  }
}

/** The seed of a run: MATCHING_SEED when given (to replay a failure), else a fresh one (printed by the test). */
export function runSeed(): number {
  const fromEnv = process.env.MATCHING_SEED;
  return fromEnv && /^\d+$/.test(fromEnv) ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
}
