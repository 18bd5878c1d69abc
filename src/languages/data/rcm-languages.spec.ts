import { COUNTRY_CODES } from '../../common/countries';
import { isIsoLanguageCode, isoLanguage, livingLanguages } from '../iso-639-3';
import { curatedRows, isoRow, livingIsoRows } from '../languages-catalogue';
import { VARIANT_SLUG } from '../language-text';
import { familyOf, FAMILY_NAMES, LANGUAGE_FAMILIES } from './language-families';
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
    const mayan = [
      'acr',
      'knj',
      'agu',
      'caa',
      'cac',
      'itz',
      'ixl',
      'jac',
      'cak',
      'quc',
      'mam',
      'mop',
      'poc',
      'poh',
      'kjb',
      'kek',
      'quv',
      'qum',
      'ttc',
      'tzj',
      'usp',
    ];
    const guatemalan = RCM_LANGUAGES.filter((l) => l.countries.includes('GT'));
    for (const code of mayan) expect(guatemalan.some((l) => l.iso6393 === code && !l.variant)).toBe(true);
    expect(guatemalan.some((l) => l.iso6393 === 'agu' && l.variant === 'chalchiteko')).toBe(true);
    expect(mayan.length + 1).toBe(22);
  });

  it('covers the languages the design names and the other required ones', () => {
    const codes = new Set(RCM_LANGUAGES.map((l) => l.iso6393));
    const required = [
      'cab',
      'xin',
      'miq',
      'yan',
      'rma',
      'gym',
      'sab',
      'emp',
      'kvn',
      'cuk',
      'bzd',
      'cjp',
      'gut',
      'len',
      'pay',
      'jic',
      'ppl',
      'bzj',
      'tzo',
      'tzh',
      'yua',
      'ctu',
      'zap',
      'nhe',
      'nch',
      'ngu',
      'mau',
      'ote',
      'top',
      'maz',
      'mxp',
      'tcf',
      'trc',
    ];
    expect(required.filter((c) => !codes.has(c))).toEqual([]);
    // Every country has languages of its own, Dominican Republic through Haitian Creole and Spanish.
    for (const country of COUNTRY_CODES) expect(RCM_LANGUAGES.some((l) => l.countries.includes(country))).toBe(true);
  });

  it('marks exactly Spanish, English, French and Haitian Creole as relay languages', () => {
    expect(
      RCM_LANGUAGES.filter((l) => l.isRelay)
        .map((l) => l.iso6393)
        .sort(),
    ).toEqual(['eng', 'fra', 'hat', 'spa']);
  });

  it('builds rows with the ISO reference name when none is curated, and searchable by it', () => {
    const rows = curatedRows();
    const rma = rows.find((r) => r.iso6393 === 'rma')!;
    expect(rma.name).toBe(isoLanguage('rma')!.name);
    const kek = rows.find((r) => r.iso6393 === 'kek')!;
    expect(kek.name).toBe("Q'eqchi'");
    expect(kek.searchText.split(' ')).toEqual(expect.arrayContaining(['kek', 'qeqchi', 'kekchi']));
    expect(rows.every((r) => r.curated)).toBe(true);
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

describe('the rest of ISO 639-3', () => {
  it('is its living individual languages and macrolanguages', () => {
    const living = livingLanguages();
    expect(living.length).toBeGreaterThan(6500);
    expect(living.every((l) => l.type === 'living' && l.scope !== 'special')).toBe(true);
    const codes = new Set(living.map((l) => l.iso6393));
    for (const code of ['deu', 'eus', 'zap', 'que', 'ara']) expect(codes.has(code)).toBe(true);
    for (const code of ['lat', 'grc', 'qya', 'und', 'xin']) expect(codes.has(code)).toBe(false);
  });

  it('becomes bare, uncurated rows searchable by name and by ISO 639-1 and 639-2 codes', () => {
    expect(isoRow('deu')).toEqual({
      iso6393: 'deu',
      variant: null,
      name: 'German',
      autonym: null,
      countries: [],
      isRelay: false,
      curated: false,
      searchText: expect.any(String),
    });
    expect(isoRow('deu').searchText.split(' ')).toEqual(expect.arrayContaining(['deu', 'german', 'de', 'ger']));
    expect(isoRow('tpc').searchText.split(' ')).toEqual(expect.arrayContaining(['azoyu', 'mephaa']));
  });

  it('leaves out the codes already present', () => {
    const rows = livingIsoRows(new Set(['deu', 'mam']));
    expect(rows.length).toBe(livingLanguages().length - 2);
    expect(rows.some((r) => r.iso6393 === 'deu' || r.iso6393 === 'mam')).toBe(false);
  });
});

describe('the families of the curated languages', () => {
  it('name one family for every curated code, and only curated codes, each once', () => {
    const listed = FAMILY_NAMES.flatMap((f) => LANGUAGE_FAMILIES[f] as readonly string[]);
    expect(new Set(listed).size).toBe(listed.length);
    const curated = new Set(RCM_LANGUAGES.map((l) => l.iso6393));
    expect([...curated].filter((c) => !familyOf(c))).toEqual([]);
    expect(listed.filter((c) => !curated.has(c))).toEqual([]);
  });

  it('file the languages the design names where Glottolog does', () => {
    expect([familyOf('mam'), familyOf('zai'), familyOf('nhe'), familyOf('gym'), familyOf('miq'), familyOf('cab'), familyOf('deu')]).toEqual(
      ['mayan', 'oto-manguean', 'uto-aztecan', 'chibchan', 'misumalpan', 'arawakan', null],
    );
  });
});
