import { COUNTRY_CODES } from '../../common/countries';
import { isIsoLanguageCode, isoLanguage } from '../iso-639-3';
import { curatedRows } from '../languages-catalogue';
import { VARIANT_SLUG } from '../language-text';
import { RCM_LANGUAGES } from './rcm-languages';

describe('the curated RCM language catalogue', () => {
  it('uses only codes that ISO 639-3 (the iso-639-3 package) knows', () => {
    const unknown = RCM_LANGUAGES.filter((l) => !isIsoLanguageCode(l.iso6393)).map((l) => l.iso6393);
    expect(unknown).toEqual([]);
  });

  it('lists each code and variant once', () => {
    const keys = RCM_LANGUAGES.map((l) => `${l.iso6393}/${l.variant ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('names RCM countries only, at least one per language, without repeats', () => {
    for (const l of RCM_LANGUAGES) {
      expect(l.countries.length).toBeGreaterThan(0);
      expect(new Set(l.countries).size).toBe(l.countries.length);
      for (const c of l.countries) expect(COUNTRY_CODES).toContain(c);
    }
  });

  it('has only slug variants', () => {
    for (const l of RCM_LANGUAGES.filter((x) => x.variant)) expect(l.variant).toMatch(VARIANT_SLUG);
  });

  it('covers the 22 Mayan languages of Guatemala (Chalchiteko as a variant of agu)', () => {
    const mayan = ['acr', 'knj', 'agu', 'caa', 'cac', 'itz', 'ixl', 'jac', 'cak', 'quc', 'mam', 'mop', 'poc', 'poh', 'kjb', 'kek', 'quv', 'qum', 'ttc', 'tzj', 'usp'];
    const guatemalan = RCM_LANGUAGES.filter((l) => l.countries.includes('GT'));
    for (const code of mayan) expect(guatemalan.some((l) => l.iso6393 === code && !l.variant)).toBe(true);
    expect(guatemalan.some((l) => l.iso6393 === 'agu' && l.variant === 'chalchiteko')).toBe(true);
    expect(mayan.length + 1).toBe(22);
  });

  it('covers the languages the design names and the other required ones', () => {
    const codes = new Set(RCM_LANGUAGES.map((l) => l.iso6393));
    const required = ['cab', 'xin', 'miq', 'yan', 'rma', 'gym', 'sab', 'emp', 'kvn', 'cuk', 'bzd', 'cjp', 'gut', 'len', 'pay', 'jic', 'ppl', 'bzj', 'tzo', 'tzh', 'yua', 'ctu', 'zap', 'nhe', 'nch', 'ngu', 'mau', 'ote', 'top', 'maz', 'mxp', 'tcf', 'trc'];
    expect(required.filter((c) => !codes.has(c))).toEqual([]);
    // Every country has languages of its own, Dominican Republic through Haitian Creole and Spanish.
    for (const country of COUNTRY_CODES) expect(RCM_LANGUAGES.some((l) => l.countries.includes(country))).toBe(true);
  });

  it('marks exactly Spanish, English, French and Haitian Creole as relay languages', () => {
    expect(RCM_LANGUAGES.filter((l) => l.isRelay).map((l) => l.iso6393).sort()).toEqual(['eng', 'fra', 'hat', 'spa']);
  });

  it('builds rows with the ISO reference name when none is curated, and searchable by it', () => {
    const rows = curatedRows();
    const rma = rows.find((r) => r.iso6393 === 'rma')!;
    expect(rma.name).toBe(isoLanguage('rma')!.name);
    const kek = rows.find((r) => r.iso6393 === 'kek')!;
    expect(kek.name).toBe("Q'eqchi'");
    expect(kek.searchText.split(' ')).toEqual(expect.arrayContaining(['kek', 'qeqchi', 'kekchi']));
    for (const r of rows) {
      expect(r.name.length).toBeLessThanOrEqual(120);
      expect((r.autonym ?? '').length).toBeLessThanOrEqual(120);
    }
  });
});

describe('iso-639-3 lookup', () => {
  it('knows living, macro and relay codes, and refuses special and malformed ones', () => {
    expect(isoLanguage('quc')?.name).toBe("K'iche'");
    expect(isoLanguage('zap')?.scope).toBe('macrolanguage');
    for (const code of ['und', 'mul', 'zxx', 'mis', 'qaa', 'xxx', 'MAM', 'ma']) expect(isIsoLanguageCode(code)).toBe(false);
  });
});
