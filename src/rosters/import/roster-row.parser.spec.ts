import { RosterRecord } from './roster-columns';
import { findDuplicates, isCalendarDate, languageKeys, parseRow, resolveRow } from './roster-row.parser';

const GOOD = {
  external_id: 'GT-001',
  first_name: 'Ana',
  email: 'Ana@Example.org',
  languages: 'mam:5;QUC/central:3',
  relay_languages: 'spa;eng:3',
  specialties: 'violence;legal_criminal',
  certification_body: 'ONI',
  certification_number: 'C-123',
  certification_expires: '2027-06-30',
  gender: 'female',
  status: '',
};

const record = (values: RosterRecord['values'], line = 2): RosterRecord => ({ line, values, problems: [] });
const fieldsOf = (values: RosterRecord['values']) => parseRow(record({ ...GOOD, ...values })).errors.map((e) => e.field);

describe('parseRow', () => {
  it('normalises a good row', () => {
    const { row, errors } = parseRow(record(GOOD));
    expect(errors).toEqual([]);
    expect(row).toEqual({
      line: 2,
      externalId: 'GT-001',
      firstName: 'Ana',
      email: 'ana@example.org',
      languages: [
        { key: 'mam', level: 5 },
        { key: 'quc/central', level: 3 },
      ],
      relayLanguages: [
        { code: 'spa', level: 5 },
        { code: 'eng', level: 3 },
      ],
      specialties: ['legal_criminal', 'violence'],
      certificationBody: 'ONI',
      certificationNumber: 'C-123',
      certificationExpires: '2027-06-30',
      gender: 'female',
    });
    expect(row!.status).toBeUndefined();
  });

  it('leaves columns the file does not have undefined, and clears empty cells', () => {
    const { row } = parseRow(
      record({ external_id: 'A', first_name: 'Ana', email: 'a@b.org', languages: 'mam:1', gender: '', certification_body: '' }),
    );
    expect(row).toMatchObject({ gender: null, certificationBody: null });
    expect(row!.status).toBeUndefined();
    expect(row!.relayLanguages).toBeUndefined();
    expect(row!.specialties).toBeUndefined();
  });

  it.each([
    ['languages', { languages: '' }],
    ['languages', { languages: 'mam' }],
    ['languages', { languages: 'mam:0' }],
    ['languages', { languages: 'mam:6' }],
    ['languages', { languages: 'mam:x' }],
    ['languages', { languages: 'mam:4;MAM:3' }],
    ['languages', { languages: 'ma:4' }],
    ['relay_languages', { relay_languages: 'es' }],
    ['relay_languages', { relay_languages: 'spa:0' }],
    ['relay_languages', { relay_languages: 'spa:6' }],
    ['relay_languages', { relay_languages: 'spa:x' }],
    ['relay_languages', { relay_languages: 'spa:' }],
    ['specialties', { specialties: 'violence;cooking' }],
    ['certification_expires', { certification_expires: '2026-02-30' }],
    ['certification_expires', { certification_expires: '2026/01/01' }],
    ['gender', { gender: 'f' }],
    ['status', { status: 'retired' }],
    ['email', { email: 'not-an-email' }],
    ['first_name', { first_name: '' }],
    ['first_name', { first_name: 'A'.repeat(61) }],
    ['first_name', { first_name: 'An\u0007a' }],
    ['external_id', { external_id: 'has space' }],
    ['external_id', { external_id: 'x'.repeat(65) }],
    ['certification_body', { certification_body: 'x'.repeat(121) }],
  ])('rejects a bad %s (%j)', (field, values) => {
    expect(fieldsOf(values)).toEqual([field]);
  });

  it('reads a relay language with or without a level (a bare code is level 5), and keeps the first of a repeated one', () => {
    expect(parseRow(record({ ...GOOD, relay_languages: 'SPA:4; eng ;fra:1;spa:2' })).row!.relayLanguages).toEqual([
      { code: 'spa', level: 4 },
      { code: 'eng', level: 5 },
      { code: 'fra', level: 1 },
    ]);
    expect(parseRow(record({ ...GOOD, relay_languages: 'spa:9' })).errors[0].message).toBe(
      'spa needs a level from 1 to 5 (e.g. spa:4), or none for 5',
    );
  });

  it('takes an empty status as none given: a new row is active, a stored one keeps its status', () => {
    expect(parseRow(record({ ...GOOD, status: '' })).row!.status).toBeUndefined();
    expect(parseRow(record({ ...GOOD, status: 'Suspended' })).row!.status).toBe('suspended');
  });

  it('names the unknown specialty and the malformed code', () => {
    expect(parseRow(record({ ...GOOD, specialties: 'cooking' })).errors[0].message).toContain('cooking');
    expect(parseRow(record({ ...GOOD, relay_languages: 'es' })).errors[0].message).toContain('"es"');
  });

  it('reports every bad field of a row, and the problems found while reading it', () => {
    const rec: RosterRecord = {
      line: 7,
      values: { ...GOOD, gender: 'x', status: 'y' },
      problems: [{ line: 7, field: 'row', message: 'has 3 cells' }],
    };
    const { row, errors } = parseRow(rec);
    expect(row).toBeNull();
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [7, 'row'],
      [7, 'gender'],
      [7, 'status'],
    ]);
  });

  it('accepts 60 characters of any script in a first name', () => {
    expect(fieldsOf({ first_name: 'Ñ'.repeat(60) })).toEqual([]);
    expect(fieldsOf({ first_name: "Xo'ch" })).toEqual([]);
  });
});

describe('isCalendarDate', () => {
  it.each(['2026-02-28', '2028-02-29', '2026-12-31'])('accepts %s', (d) => expect(isCalendarDate(d)).toBe(true));
  it.each(['2026-02-30', '2027-02-29', '2026/01/01', '2026-1-01', '2026-13-01', '26-01-01', ''])('rejects %s', (d) =>
    expect(isCalendarDate(d)).toBe(false),
  );
});

describe('findDuplicates', () => {
  it('maps every later repeat of an external_id to the first line', () => {
    const recs = [
      record({ external_id: 'A' }, 2),
      record({ external_id: 'B' }, 3),
      record({ external_id: 'A' }, 4),
      record({ external_id: 'A' }, 6),
    ];
    expect([...findDuplicates(recs)]).toEqual([
      [4, 2],
      [6, 2],
    ]);
  });
});

describe('resolveRow', () => {
  const row = parseRow(record(GOOD)).row!;
  const catalogue = new Map<string, { id: string } | null>([
    ['mam', { id: 'id-mam' }],
    ['quc/central', { id: 'id-quc-central' }],
    ['spa', { id: 'id-spa' }],
    ['eng', { id: 'id-eng' }],
  ]);

  it('lists each key once for the catalogue', () => {
    expect(languageKeys([row, row])).toEqual(['mam', 'quc/central', 'spa', 'eng']);
  });

  it('replaces keys by catalogue ids', () => {
    const { row: resolved, errors } = resolveRow(row, catalogue);
    expect(errors).toEqual([]);
    expect(resolved!.languages).toEqual([
      { languageId: 'id-mam', level: 5 },
      { languageId: 'id-quc-central', level: 3 },
    ]);
    expect(resolved!.relayLanguages).toEqual([
      { languageId: 'id-spa', level: 5 },
      { languageId: 'id-eng', level: 3 },
    ]);
  });

  it('rejects an unknown code or variant, naming it', () => {
    const missing = new Map(catalogue);
    missing.set('quc/central', null);
    missing.delete('eng');
    const { row: resolved, errors } = resolveRow(row, missing);
    expect(resolved).toBeNull();
    expect(errors).toEqual([
      { line: 2, field: 'languages', message: 'unknown language variant quc/central' },
      { line: 2, field: 'relay_languages', message: 'unknown language code eng' },
    ]);
  });
});
