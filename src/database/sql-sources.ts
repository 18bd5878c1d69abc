import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { QueryRunner } from 'typeorm';

/**
 * Folders of SQL source files (functions and types written as CREATE OR REPLACE), applied in name order after the
 * migrations by every migrate, so the live version of a function is the one in its source file, not whichever
 * migration last replaced it. Found beside the code (src/, or dist/src/ where the image copies them) or, for a
 * compiled server run from a checkout, in the checkout's src/.
 */
export const SQL_SOURCE_DIRS = ['matching/sql'];

function locate(relative: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, relative), join(dir, 'src', relative)]) if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`SQL sources ${relative} not found above ${__dirname}`);
  }
}

export function sqlSources(dirs = SQL_SOURCE_DIRS.map(locate)): { file: string; sql: string }[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => ({ file: join(dir, f), sql: readFileSync(join(dir, f), 'utf8') })),
  );
}

/** Applies every SQL source file in one transaction (all or nothing), under the caller's migration lock. */
export async function applySqlSources(runner: QueryRunner): Promise<void> {
  await runner.startTransaction();
  try {
    for (const { file, sql } of sqlSources()) {
      try {
        await runner.query(sql);
      } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
      }
    }
    await runner.commitTransaction();
  } catch (e) {
    await runner.rollbackTransaction();
    throw e;
  }
}
