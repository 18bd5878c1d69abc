#!/usr/bin/env node
// The web client's weight per page, from the Vite build (client/dist/.vite/manifest.json): every JavaScript
// and CSS file a page can load (static and dynamic imports, followed transitively), raw and gzipped (level 9,
// as a server would send it), and the JavaScript of its first load alone (static imports only). Usage:
//   npm run bench:client              # builds the client, prints a Markdown table
//   node bench/client-size.mjs --json # the figures as JSON (the size test reads this)
//   node bench/client-size.mjs --write  # also replaces the table in BENCHMARKS.md (between the client-size markers)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.CLIENT_DIST ?? join(root, 'client', 'dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
const PAGES = {
  'index.html': 'caller (/)',
  'interpreter/index.html': 'interpreter (/interpreter/)',
  'admin/index.html': 'admin (/admin/)',
  'official/index.html': 'official (/official/)',
  'offline.html': 'offline shell',
};

/** The chunks an entry loads: with `dynamic`, also those it may import later (e.g. the call's libraries). */
function chunksOf(entryKey, dynamic) {
  const js = new Set();
  const css = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || js.has(chunk.file)) return;
    js.add(chunk.file);
    (chunk.css ?? []).forEach((f) => css.add(f));
    [...(chunk.imports ?? []), ...(dynamic ? (chunk.dynamicImports ?? []) : [])].forEach(visit);
  };
  visit(entryKey);
  return { js, css };
}

function measure(entryKey) {
  const { js, css } = chunksOf(entryKey, true);
  const size = (files) => {
    let raw = 0;
    let gzip = 0;
    for (const f of files) {
      const bytes = readFileSync(join(dist, f));
      raw += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    return { files: [...files].sort(), raw, gzip };
  };
  // What the page's HTML loads before anything is tapped (its entry and static imports).
  return { js: size(js), css: size(css), firstJs: size(chunksOf(entryKey, false).js) };
}

const pages = Object.fromEntries(
  Object.entries(manifest)
    .filter(([key, chunk]) => chunk.isEntry && key.endsWith('.html'))
    .map(([key]) => [key, { page: PAGES[key] ?? key, ...measure(key) }]),
);

if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify(pages, null, 2) + '\n');
} else {
  const kb = (n) => (n / 1024).toFixed(1);
  const rows = Object.values(pages).map(
    (p) =>
      `| ${p.page} | ${kb(p.js.gzip)} | ${kb(p.js.raw)} | ${kb(p.firstJs.gzip)} | ${kb(p.css.gzip)} | ${kb(p.css.raw)} | ${p.js.files.length} |`,
  );
  const table = [
    '| page | JS gzip (KB) | JS raw (KB) | first load JS gzip (KB) | CSS gzip (KB) | CSS raw (KB) | JS files |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  console.log(table);
  if (process.argv.includes('--write')) {
    const file = join(root, 'BENCHMARKS.md');
    const text = readFileSync(file, 'utf8');
    const start = '<!-- client-size:start -->';
    const end = '<!-- client-size:end -->';
    if (!text.includes(start) || !text.includes(end)) throw new Error(`BENCHMARKS.md has no ${start} … ${end} block`);
    writeFileSync(file, text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), `${start}\n${table}\n${end}`));
  }
}
