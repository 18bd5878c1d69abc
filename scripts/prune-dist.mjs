#!/usr/bin/env node
// Deletes compiled files in dist/ whose TypeScript source is gone (a renamed or removed migration or module):
// tsc never removes them, and the migration loader would run a renamed migration twice.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

function walk(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else {
      const source = join(root, relative(dist, path)).replace(/(\.d)?\.js(\.map)?$|\.d\.ts$/, '.ts');
      if (source.endsWith('.ts') && !existsSync(source)) rmSync(path);
    }
  }
}

for (const top of ['src', 'migrations']) walk(join(dist, top));
