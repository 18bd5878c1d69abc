import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// Five light pages (the caller's at `/`, the interpreter's console at `/interpreter/`, the officials' at
// `/official/`, the administrators' at `/admin/`, and the offline shell the service worker shows), with shared
// chunks. No inline scripts anywhere: the server's CSP forbids them.
const here = dirname(fileURLToPath(import.meta.url));
const UI_LANGUAGES = ['es', 'en', 'fr'];
// The browser tests' own build (client/src/lib/test-hooks.ts): with the hooks, into dist-test/, never served to phones.
const TEST_HOOKS = process.env.PUENTE_TEST_HOOKS === '1';

/**
 * Writes dist/sw.js from client/sw/sw.js with the exact files of the offline shell (hashed names included) and a
 * version derived from them, so a new build replaces the phone's old shell and nothing else is ever cached. The
 * list names the offline sentence in every interface language; the worker fetches only the phone's at install.
 */
function serviceWorker(): Plugin {
  return {
    name: 'puente-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'offline');
      if (!entry || entry.type !== 'chunk') this.error('the offline entry is missing');
      const files = new Set<string>(['/offline.html', '/icon.svg', ...UI_LANGUAGES.map((l) => `/cues/${l}/offline.ogg`)]);
      const visit = (fileName: string) => {
        const chunk = bundle[fileName];
        if (!chunk || files.has(`/${fileName}`)) return;
        files.add(`/${fileName}`);
        if (chunk.type !== 'chunk') return;
        chunk.imports.forEach(visit);
        (chunk.viteMetadata?.importedCss ?? new Set<string>()).forEach((css) => files.add(`/${css}`));
      };
      visit(entry.fileName);
      const list = [...files].sort();
      const version = createHash('sha256').update(list.join('\n')).digest('hex').slice(0, 12);
      const source = readFileSync(resolve(here, 'sw', 'sw.js'), 'utf8')
        .replace('__VERSION__', version)
        .replace('__PRECACHE__', JSON.stringify(list));
      // Each placeholder exactly once: one left behind is a worker that throws on start and never installs.
      if (/__VERSION__|__PRECACHE__/.test(source))
        throw new Error('client/sw/sw.js: __VERSION__ and __PRECACHE__ must each appear exactly once');
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
      // The interpreter console's own worker (offers by push), scoped to /interpreter/ by where it is served.
      const consoleWorker = readFileSync(resolve(here, 'sw', 'interpreter-sw.js'), 'utf8')
        .replace('__VERSION__', version)
        .replace('__PRECACHE__', JSON.stringify(list));
      if (/__VERSION__|__PRECACHE__/.test(consoleWorker))
        throw new Error('client/sw/interpreter-sw.js: __VERSION__ and __PRECACHE__ must each appear exactly once');
      this.emitFile({ type: 'asset', fileName: 'interpreter/sw.js', source: consoleWorker });
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [serviceWorker()],
  define: { __PUENTE_TEST_HOOKS__: JSON.stringify(TEST_HOOKS) },
  build: {
    outDir: resolve(here, TEST_HOOKS ? 'dist-test' : 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    manifest: true,
    // The HTML preloads only an entry's static imports. A dynamic import()'s chunks (the caller page's call
    // libraries: mediasoup-client, socket.io-client) are fetched when it runs, so they stay off the first load
    // on a slow line (test/client-load.e2e-spec.ts and test/client-size.e2e-spec.ts check it).
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        caller: resolve(here, 'index.html'),
        interpreter: resolve(here, 'interpreter/index.html'),
        admin: resolve(here, 'admin/index.html'),
        official: resolve(here, 'official/index.html'),
        offline: resolve(here, 'offline.html'),
      },
    },
  },
});
