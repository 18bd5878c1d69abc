import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

type Query = { query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]> };

/**
 * The WAL records written between two positions, counted by kind and by the relation (table or index) each touches,
 * most frequent first: what a call writes, index by index, read with pg_waldump from the server's own WAL (this
 * machine's PostgreSQL; the benchmark runs as a user who can read its data directory). Every database's records count:
 * run it on a quiet server.
 */
export async function walByRelation(m: Query, from: string, to: string): Promise<{ kind: string; relation: string; n: number }[]> {
  const [{ dir, version }] = (await m.query(
    `SELECT current_setting('data_directory') AS dir, current_setting('server_version_num')::int / 10000 AS version`,
  )) as { dir: string; version: number }[];
  const waldump = `/usr/lib/postgresql/${version}/bin/pg_waldump`;
  if (!existsSync(waldump)) throw new Error(`${waldump} not found`);
  const out = execFileSync(waldump, ['-p', join(dir, 'pg_wal'), '-s', from, '-e', to], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const counts = new Map<string, number>();
  const files = new Set<number>();
  for (const line of out.split('\n')) {
    const rec = /^rmgr: (\S+).*?desc: (\S+)/.exec(line);
    if (!rec) continue;
    const rel = /blkref #0: rel \d+\/\d+\/(\d+)/.exec(line)?.[1];
    if (rel) files.add(Number(rel));
    const key = `${rec[1]} ${rec[2]}\t${rel ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const names = new Map<number, string>(
    (
      (await m.query(`SELECT relfilenode, relname FROM pg_class WHERE relfilenode = ANY ($1::oid[])`, [[...files]])) as {
        relfilenode: number;
        relname: string;
      }[]
    ).map((r) => [Number(r.relfilenode), r.relname]),
  );
  return [...counts]
    .map(([key, n]) => {
      const [kind, file] = key.split('\t');
      return { kind, relation: file ? (names.get(Number(file)) ?? `(file ${file})`) : '', n };
    })
    .sort((a, b) => b.n - a.n);
}
