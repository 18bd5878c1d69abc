import { readdirSync } from 'node:fs';
import type { MigrationInterface } from 'typeorm';

/**
 * Every migration class in this folder, in file-name (timestamp) order. Loaded by name so that adding a
 * migration is adding a file, and so it works from TypeScript (tests) and compiled JavaScript alike.
 */
type MigrationClass = new () => MigrationInterface;

export const MIGRATIONS: MigrationClass[] = readdirSync(__dirname)
  .filter((f) => /^\d{13}-[\w-]+\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
  .sort()
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by file name, from .ts or .js alike
  .flatMap((f) => Object.values(require(`./${f}`)) as MigrationClass[]);
