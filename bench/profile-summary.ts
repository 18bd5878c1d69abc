/**
 * Summarises a V8 .cpuprofile (from a node started with BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"):
 * self time by package (node_modules/<name>, the application's own src/, node internals, GC, idle) and the
 * busiest functions. Usage: node bench/dist/bench/profile-summary.js FILE.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary FILE.cpuprofile');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

function area(url: string, name: string): string {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/dist/app/src/')) return `src/${url.split('/dist/app/src/')[1].split('/')[0]}`;
  if (url.startsWith('node:') || !url) return 'node internals';
  return 'other';
}

const areas = new Map<string, number>();
const functions = new Map<string, number>();
let total = 0;
for (const [id, us] of self) {
  const n = byId.get(id)!;
  total += us;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const f = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\/app\//, '')}:${n.callFrame.lineNumber + 1}`;
  functions.set(f, (functions.get(f) ?? 0) + us);
}
const busy = total - (areas.get('(idle)') ?? 0);
const pct = (us: number) => ((100 * us) / busy).toFixed(1).padStart(5);
console.log(`profile ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s; shares of busy time:`);
for (const [a, us] of [...areas]
  .filter(([a]) => a !== '(idle)')
  .sort((x, y) => y[1] - x[1])
  .slice(0, 25))
  console.log(`${pct(us)}%  ${a}`);
console.log('\nbusiest functions (self time):');
for (const [f, us] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`${pct(us)}%  ${f}`);
