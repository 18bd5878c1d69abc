#!/usr/bin/env node
// Speaks the caller page's cues (the `cues` texts of client/src/i18n/{es,en,fr}.ts) into small Ogg/Opus files
// in client/public/cues/<lang>/<name>.ogg, with Debian's espeak-ng (a woman's voice), sox and opusenc:
//   apt-get install espeak-ng sox opus-tools && node client/scripts/make-cues.mjs
// The files are committed (the build needs none of these tools); rerun after editing a cue's text. Names given
// (`node client/scripts/make-cues.mjs returnCode digit0`) make only those cues; none, every cue.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const client = join(dirname(fileURLToPath(import.meta.url)), '..');
const VOICES = { es: 'es-419+f3', en: 'en-us+f3', fr: 'fr-fr+f3' };

/** The strings file of one language, compiled in memory (it only imports types). */
function strings(lang) {
  const source = readFileSync(join(client, 'src', 'i18n', `${lang}.ts`), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const module = { exports: {} };
  new Function('module', 'exports', 'require', js)(module, module.exports, () => ({}));
  return module.exports[lang];
}

const only = new Set(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'puente-cues-'));
try {
  let total = 0;
  for (const [lang, voice] of Object.entries(VOICES)) {
    const out = join(client, 'public', 'cues', lang);
    mkdirSync(out, { recursive: true });
    for (const [name, text] of Object.entries(strings(lang).cues)) {
      if (only.size && !only.has(name)) continue;
      const raw = join(work, `${lang}-${name}.wav`);
      const clean = join(work, `${lang}-${name}-clean.wav`);
      const ogg = join(out, `${name}.ogg`);
      execFileSync('espeak-ng', ['-v', voice, '-s', '140', '-w', raw, text]);
      // Mono 24 kHz, normalised, leading and trailing silence trimmed.
      execFileSync('sox', [
        raw,
        '-r',
        '24000',
        '-c',
        '1',
        clean,
        'norm',
        '-1',
        'silence',
        '1',
        '0.05',
        '0.5%',
        'reverse',
        'silence',
        '1',
        '0.05',
        '0.5%',
        'reverse',
      ]);
      execFileSync('opusenc', ['--quiet', '--bitrate', '12', '--speech', '--comp', '10', clean, ogg]);
      const size = statSync(ogg).size;
      total += size;
      console.log(`${lang}/${name}.ogg ${(size / 1024).toFixed(1)} KB`);
    }
  }
  console.log(`total ${(total / 1024).toFixed(1)} KB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
