import { readdirSync } from 'node:fs';

/**
 * Every migration class in this folder, in file-name (timestamp) order. Loaded by name so that adding a
 * migration is adding a file, and so it works from TypeScript (tests) and compiled JavaScript alike.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const MIGRATIONS: Function[] = readdirSync(__dirname)
  .filter((f) => /^\d{13}-[\w-]+\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
  .sort()
  .flatMap((f) => Object.values(require(`./${f}`)) as Function[]);
