/**
 * First load of the caller's page on a slow phone (issue 10, item 4). Builds the web client (Vite) and the
 * application (into bench/dist/app), starts one node as an operator would (`node dist/src/cli.js serve`, on a
 * fresh database and Redis prefix: the curated languages are loaded at start-up as in production), and opens
 * `/` in Debian's Chromium with DevTools network emulation (400 kbit/s down and up, 400 ms latency), each run
 * in a new browser context: empty HTTP cache, no service worker.
 *
 * For each run: the time until step 1 is usable (a region button shown and enabled, seen from inside the page),
 * the bytes that came over the network for it (encoded, headers included: DevTools' encodedDataLength) and the
 * number of requests; the same for the whole first visit until the network is quiet (with the bodies its
 * service worker's install fetched, which DevTools neither throttles nor shows the page: seen through
 * Playwright); the CPU time the node process spent over the visit; and
 * a repeat visit in the same browser (HTTP cache warm, service worker blocked so that the network emulation
 * applies to every request). Medians over the runs.
 *
 * Run: `npm run bench:page-load` (PAGE_LOAD_RUNS, default 5; PAGE_LOAD_LABEL names the results file, default
 * `after`; BENCH_SKIP_BUILD=1 reuses the builds). Loopback only; every wait is bounded; its node, database and
 * Redis keys are removed at the end. Results: bench/results/page-load-<label>.json and .md.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildApp, machine } from './lib/app-build';
import { APP_DIR, createDatabase, dropRedisPrefix, PG_BASE, REDIS_URL, ROOT, startNode, stopNode, type Node } from './lib/cluster';
import { beforeStep1, loadCallerPage, SLOW_PHONE, sumBytes, type LoadedRequest } from './lib/page-load';
import { CLK_TCK, cpuTicks } from './lib/proc';
import { median } from './lib/stats';

const RUNS = Number(process.env.PAGE_LOAD_RUNS ?? 5);
const LABEL = process.env.PAGE_LOAD_LABEL ?? 'after';
const log = (msg: string) => console.log(`[bench] ${msg}`);

interface Run {
  step1Ms: number;
  step1Bytes: number;
  step1Requests: number;
  visitBytes: number;
  visitRequests: number;
  workerRequests: number;
  workerBytes: number;
  serverCpuMs: number;
  repeatStep1Ms: number;
  repeatBytes: number;
  repeatRequests: number;
  requests: { path: string; kB: number; encoding: string; finishedMs: number }[];
}

function buildClient() {
  log('building the web client (vite build client)');
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'client', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`client build failed:\n${r.stdout}${r.stderr}`);
  // The compiled server looks for the client next to its own build (src/client-serving/serve-client.ts).
  const link = join(APP_DIR, 'client');
  if (!existsSync(link)) symlinkSync(join(ROOT, 'client'), link);
}

const path = (url: string) => new URL(url).pathname + new URL(url).search;

async function oneRun(browser: Browser, node: Node): Promise<Run> {
  const first = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'es-GT' });
  const worker: { url: string; bytes: Promise<number> }[] = [];
  first.on('requestfinished', (req) => {
    // Bodies only: Playwright reports headers even for what the worker took from the HTTP cache.
    if (req.serviceWorker()) worker.push({ url: req.url(), bytes: req.sizes().then((s) => Math.max(0, s.responseBodySize)) });
  });
  const cpuBefore = cpuTicks(node.pid)!;
  const load = await loadCallerPage(first, `${node.url}/`, { conditions: SLOW_PHONE, waitForWorker: true, quietMs: 1500 });
  const serverCpuMs = ((cpuTicks(node.pid)! - cpuBefore) / CLK_TCK) * 1000;
  const workerBytes = (await Promise.all(worker.map((w) => w.bytes))).reduce((a, b) => a + b, 0);
  await first.close();

  // The repeat visit: what the HTTP cache saves (immutable assets, revalidated pages, the language list's ETag).
  const again = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'es-GT', serviceWorkers: 'block' });
  await (await loadCallerPage(again, `${node.url}/`, { conditions: null, quietMs: 500 })).page.close();
  const repeat = await loadCallerPage(again, `${node.url}/`, { conditions: SLOW_PHONE, quietMs: 1000 });
  await again.close();

  const step1 = beforeStep1(load);
  const network = (rs: LoadedRequest[]) => rs.filter((r) => !r.fromCache);
  return {
    step1Ms: load.step1Ms,
    step1Bytes: sumBytes(step1),
    step1Requests: network(step1).length,
    visitBytes: sumBytes(load.requests) + workerBytes,
    visitRequests: network(load.requests).length + worker.length,
    workerRequests: worker.length,
    workerBytes,
    serverCpuMs,
    repeatStep1Ms: repeat.step1Ms,
    repeatBytes: sumBytes(beforeStep1(repeat)),
    repeatRequests: network(beforeStep1(repeat)).length,
    requests: [
      ...load.requests.map((r) => ({
        path: path(r.url),
        kB: r.encodedBytes / 1024,
        encoding: r.contentEncoding,
        finishedMs: r.finishedMs,
      })),
      ...(await Promise.all(
        worker.map(async (w) => ({ path: `(service worker) ${path(w.url)}`, kB: (await w.bytes) / 1024, encoding: '', finishedMs: NaN })),
      )),
    ],
  };
}

function report(runs: Run[], meta: Record<string, unknown>) {
  const kB = (n: number) => (n / 1024).toFixed(1);
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const row = (name: string, r: Pick<Run, Exclude<keyof Run, 'requests'>>) =>
    `| ${name} | ${s(r.step1Ms)} | ${kB(r.step1Bytes)} | ${r.step1Requests} | ${kB(r.visitBytes)} | ${r.visitRequests} | ${r.workerRequests} / ${kB(r.workerBytes)} | ${r.serverCpuMs.toFixed(0)} | ${s(r.repeatStep1Ms)} | ${kB(r.repeatBytes)} | ${r.repeatRequests} |`;
  const keys = Object.keys(runs[0]).filter((k) => k !== 'requests') as (keyof Omit<Run, 'requests'>)[];
  const med = Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])) as Omit<Run, 'requests'>;
  const table = [
    '| run | step 1 usable (s) | step 1 (kB) | step 1 requests | whole visit (kB) | whole visit requests | of which service worker (requests / kB of bodies) | server CPU (ms) | repeat visit: step 1 (s) | repeat visit (kB) | repeat visit requests |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map((r, i) => row(String(i + 1), r)),
    row('**median**', med),
  ].join('\n');
  const last = runs[runs.length - 1].requests.map(
    (r) =>
      `| ${r.path} | ${Number.isNaN(r.kB) ? '' : r.kB.toFixed(1)} | ${r.encoding} | ${Number.isNaN(r.finishedMs) ? '' : s(r.finishedMs)} |`,
  );
  const requests = ['| request (last run, first visit) | kB on the wire | encoding | finished (s) |', '|---|---:|---|---:|', ...last].join(
    '\n',
  );
  return { med, md: `# Page load (${LABEL})\n\n\`\`\`\n${JSON.stringify(meta, null, 2)}\n\`\`\`\n\n${table}\n\n${requests}\n` };
}

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== '1') buildApp(false, log);
  buildClient();
  const db = await createDatabase();
  const prefix = `benchload${randomBytes(4).toString('hex')}`;
  let node: Node | undefined;
  let browser: Browser | undefined;
  try {
    node = await startNode({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${PG_BASE}/${db.name}`,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: randomBytes(32).toString('hex'),
      MEDIASOUP_WORKERS: '1',
      MEDIASOUP_LISTEN_IP: '127.0.0.1',
      MEDIASOUP_ANNOUNCED_ADDRESS: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    // One unmeasured load first: the node's first requests (its JIT, the first language query) are not a phone's.
    await (await loadCallerPage(await browser.newContext(), `${node.url}/`, { conditions: null, quietMs: 500 })).page.context().close();
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await oneRun(browser, node);
      log(
        `run ${i + 1}: step 1 usable after ${(r.step1Ms / 1000).toFixed(2)} s, ${(r.step1Bytes / 1024).toFixed(1)} kB in ${r.step1Requests} requests; whole visit ${(r.visitBytes / 1024).toFixed(1)} kB; server CPU ${r.serverCpuMs.toFixed(0)} ms`,
      );
      runs.push(r);
    }
    const meta = {
      label: LABEL,
      date: new Date().toISOString(),
      runs: RUNS,
      network: SLOW_PHONE,
      chromium: browser.version(),
      machine: machine(),
    };
    const { med, md } = report(runs, meta);
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `page-load-${LABEL}.json`), JSON.stringify({ meta, median: med, runs }, null, 2) + '\n');
    writeFileSync(join(dir, `page-load-${LABEL}.md`), md);
    console.log(md);
  } finally {
    await browser?.close().catch(() => undefined);
    if (node) await stopNode(node);
    await dropRedisPrefix(prefix).catch(() => undefined);
    await db.drop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
