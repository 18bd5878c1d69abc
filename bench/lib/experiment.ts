import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_DIR, EXPERIMENT, EXPERIMENT_DIR } from './cluster';

/**
 * What-if builds, to measure what a change would buy before anyone writes it properly. They patch a copy of
 * the compiled application under bench/dist; nothing in src/ changes.
 *
 * unchained-audit: the audit append keeps its two statements (read a sequence number, insert the row) but
 * takes no chain lock and links to nothing (prev_hash = genesis). It answers "how fast would matching be if
 * audit events were chained later by one background writer instead of under a global lock in every
 * matching transaction?" The audit chain it writes does not verify; the databases are dropped afterwards.
 */
export function prepareExperiment() {
  if (!EXPERIMENT) return;
  if (EXPERIMENT !== 'unchained-audit') throw new Error(`unknown BENCH_EXPERIMENT ${EXPERIMENT}`);
  rmSync(EXPERIMENT_DIR, { recursive: true, force: true });
  cpSync(APP_DIR, EXPERIMENT_DIR, { recursive: true });
  const file = join(EXPERIMENT_DIR, 'src', 'audit', 'audit.service.js');
  const before = readFileSync(file, 'utf8');
  const lock = "await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);";
  const read = "const [last] = await m.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');";
  if (!before.includes(lock) || !before.includes(read)) throw new Error('audit.service.js changed: update the unchained-audit experiment');
  writeFileSync(
    file,
    before
      .replace(lock, '')
      .replace(read, 'const [last] = await m.query("SELECT nextval(\'bench_unchained_audit_seq\') AS seq, NULL AS hash");'),
  );
}
