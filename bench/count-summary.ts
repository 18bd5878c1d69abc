/**
 * Round trips per call between two marks of a node's counts (see lib/count-calls.ts):
 * node bench/dist/bench/count-summary.js calls-PID.json FROM_ISO TO_ISO CALLS
 * prints PostgreSQL statements and Redis commands per call, by shape, most frequent first.
 */
import { readFileSync } from 'node:fs';

type Counts = Record<string, number>;
const [file, from, to, calls] = process.argv.slice(2);
if (!file || !from || !to || !calls) throw new Error('usage: count-summary FILE FROM_ISO TO_ISO CALLS');
const marks = JSON.parse(readFileSync(file, 'utf8')) as { at: string; pg: Counts; redis: Counts }[];
const at = (iso: string) =>
  marks.reduce((best, m) => (Math.abs(Date.parse(m.at) - Date.parse(iso)) < Math.abs(Date.parse(best.at) - Date.parse(iso)) ? m : best));
const [a, b] = [at(from), at(to)];
const n = Number(calls);
for (const kind of ['pg', 'redis'] as const) {
  const delta = Object.entries(b[kind])
    .map(([k, v]) => [k, (v - (a[kind][k] ?? 0)) / n] as const)
    .filter(([, v]) => v > 0.005);
  delta.sort((x, y) => y[1] - x[1]);
  console.log(`${kind}: ${delta.reduce((s, [, v]) => s + v, 0).toFixed(2)} per call (${a.at} .. ${b.at}, ${n} calls)`);
  for (const [k, v] of delta) console.log(`  ${v.toFixed(2)}  ${k}`);
}
