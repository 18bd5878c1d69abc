import { normalizeSearch, parseLanguageKey, searchTextOf, searchTokens } from './language-text';

describe('normalizeSearch', () => {
  it.each([
    ["K'iche'", 'kiche'],
    ['KʼICHEʼ', 'kiche'],
    ['K’iche’', 'kiche'],
    ['QUC', 'quc'],
    ['Ngäbere', 'ngabere'],
    ['Maléku Jaíka', 'maleku jaika'],
    ['Diné bizaad', 'dine bizaad'],
    ['Lakȟótiyapi', 'lakhotiyapi'],
    ['Hñähñu', 'hnahnu'],
    ['Innu-aimun', 'innu aimun'],
    ["  Popti' (Jakalteko) ", 'popti jakalteko'],
    ['Kreyòl   ayisyen', 'kreyol ayisyen'],
    ['français', 'francais'],
    ['mam%_', 'mam'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeSearch(input)).toBe(expected);
  });

  it('keeps non-Latin scripts, lower-cased where they have case', () => {
    expect(normalizeSearch('ᐃᓄᒃᑎᑐᑦ')).toBe('ᐃᓄᒃᑎᑐᑦ');
    expect(normalizeSearch('ᏣᎳᎩ')).toBe('ꮳꮃꭹ');
  });
});

describe('searchTokens', () => {
  it('splits, dedupes and caps the words of a query', () => {
    expect(searchTokens("Maaya T'aan maaya")).toEqual(['maaya', 'taan']);
    expect(searchTokens("''' --- ")).toEqual([]);
    expect(searchTokens('a b c d e f g h i j', 3)).toEqual(['a', 'b', 'c']);
  });
});

describe('searchTextOf', () => {
  it('holds code, variant, name, autonym and other names, normalised and without repeats', () => {
    const text = searchTextOf({ iso6393: 'kek', variant: null, name: "Q'eqchi'", autonym: "Q'eqchi'", otherNames: ['Kekchí', undefined] });
    expect(text).toBe('kek qeqchi kekchi');
  });

  it('lets every spelling of a language find it', () => {
    const text = searchTextOf({ iso6393: 'gym', name: 'Ngäbere', autonym: 'Ngäbere', otherNames: ['Guaymí'] });
    for (const q of ['Ngabere', 'NGÄBERE', 'guaymi', 'GYM']) {
      expect(searchTokens(q).every((w) => text.includes(w))).toBe(true);
    }
  });
});

describe('parseLanguageKey', () => {
  it.each([
    ['mam', { iso6393: 'mam', variant: null }],
    [' QUC ', { iso6393: 'quc', variant: null }],
    ['quc/Central', { iso6393: 'quc', variant: 'central' }],
    ['mix/alta-de-guerrero', { iso6393: 'mix', variant: 'alta-de-guerrero' }],
  ])('parses %j', (key, expected) => {
    expect(parseLanguageKey(key)).toEqual(expected);
  });

  it.each(['', 'ma', 'mams', 'm4m', 'mam/', 'mam/a/b', 'mam/-x', 'mam/x--y', 'mam/under_score', `mam/${'a'.repeat(61)}`])(
    'rejects %j',
    (key) => {
      expect(parseLanguageKey(key)).toBeNull();
    },
  );
});
