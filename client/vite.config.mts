import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Two light pages (the caller's at `/`, the interpreter's console at `/interpreter/`), one shared chunk for
// the call code. No inline scripts anywhere: the server's CSP forbids them.
const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        caller: resolve(here, 'index.html'),
        interpreter: resolve(here, 'interpreter/index.html'),
      },
    },
  },
});
