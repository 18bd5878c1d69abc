/**
 * Where a call's instructions go: two `callgrind_annotate` listings of one backend (after the warm-up alone, and after
 * the warm-up and the calls), subtracted function by function and divided by the number of calls. Used by
 * bench/sql-instructions.sh (SQLINS_PROFILE=1).
 *
 *   node bench/dist/bench/lib/callgrind-diff.js before.txt after.txt calls [rows]
 */
import { readFileSync } from 'node:fs';

/** Instructions by function. A recursive function's deeper levels ('2, '3...) are left out: its first level's inclusive
 * count already holds them. */
function listing(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (/'\d+/.test(m[2])) continue;
    const name = m[2].replace(/ \[.*\]$/, '');
    out.set(name, (out.get(name) ?? 0) + Number(m[1].replace(/,/g, '')));
  }
  return out;
}

function main() {
  const [beforeFile, afterFile, callsArg, rowsArg] = process.argv.slice(2);
  if (!beforeFile || !afterFile || !(Number(callsArg) > 0)) throw new Error('usage: callgrind-diff before.txt after.txt calls [rows]');
  const [before, after] = [listing(beforeFile), listing(afterFile)];
  const calls = Number(callsArg);
  const total = ((after.get('PROGRAM TOTALS') ?? 0) - (before.get('PROGRAM TOTALS') ?? 0)) / calls;
  // Addresses without a symbol say nothing to a reader.
  const rows = [...new Set([...before.keys(), ...after.keys()])]
    .filter((k) => k !== 'PROGRAM TOTALS' && !/\?\?\?:0x/.test(k))
    .map((k) => ({ k, per: ((after.get(k) ?? 0) - (before.get(k) ?? 0)) / calls }))
    .sort((a, b) => b.per - a.per)
    .slice(0, Number(rowsArg ?? 60));
  console.log(`${Math.round(total).toLocaleString('en')} instructions per call`);
  for (const r of rows)
    console.log(`${Math.round(r.per).toLocaleString('en').padStart(12)} ${((100 * r.per) / total).toFixed(1).padStart(6)} %  ${r.k}`);
}

main();
