import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { Language as IsoLanguage } from 'iso-639-3';

export type { IsoLanguage };

let byCode: Map<string, IsoLanguage> | undefined;

/**
 * The ISO 639-3 table of the `iso-639-3` package. That package ships as ES modules only: this CommonJS build
 * cannot `require()` it on every Node >= 20 (require(esm) arrived in 20.19) and jest's module runtime
 * cannot load it at all without transforming node_modules. Its data file is one `export const iso6393 = [...]`
 * literal, so the literal is evaluated in an empty context, once, and checked before use.
 */
function table(): Map<string, IsoLanguage> {
  if (byCode) return byCode;
  const file = join(dirname(require.resolve('iso-639-3/package.json')), 'iso6393.js');
  const source = readFileSync(file, 'utf8').replace(/^export const iso6393\s*=/m, 'result =');
  const sandbox: { result?: unknown } = {};
  runInNewContext(source, sandbox, { filename: file, timeout: 5000 });
  const rows = sandbox.result;
  if (!Array.isArray(rows) || rows.length < 1000 || !rows.every((r) => typeof r?.iso6393 === 'string' && typeof r?.name === 'string')) {
    throw new Error(`iso-639-3: unexpected data in ${file}`);
  }
  byCode = new Map((rows as IsoLanguage[]).map((r) => [r.iso6393, r]));
  return byCode;
}

/**
 * The ISO 639-3 entry for a lower-case code, or undefined. Special codes (`und`, `mul`, `zxx`, `mis` and the
 * reserved range) name no language anyone can interpret, so they count as unknown.
 */
export function isoLanguage(code: string): IsoLanguage | undefined {
  const entry = table().get(code);
  return entry && entry.scope !== 'special' && entry.type !== 'special' ? entry : undefined;
}

export function isIsoLanguageCode(code: unknown): code is string {
  return typeof code === 'string' && /^[a-z]{3}$/.test(code) && isoLanguage(code) !== undefined;
}

/**
 * The languages someone may need an interpreter for today: living individual languages and living
 * macrolanguages (Zapotec, Quechua, Arabic...), about 7,000. Extinct, ancient, historical, constructed and
 * special codes are left out (they stay valid codes: see isoLanguage).
 */
export function livingLanguages(): IsoLanguage[] {
  return [...table().values()].filter((l) => l.type === 'living' && (l.scope === 'individual' || l.scope === 'macrolanguage'));
}
