import { isEmail } from 'class-validator';
import { GENDERS, Gender, INTERPRETER_STATUSES, InterpreterStatus, SPECIALTIES, Specialty } from '../../common/domain';
import { hasInvisible, invisibleMessage } from '../../common/visible-text';
import { RosterRecord, RowError } from './roster-columns';

/**
 * One valid row, before its language codes are resolved against the catalogue. An `undefined` optional
 * field means the file has no such column: the interpreter's stored value is kept.
 */
export interface ParsedRow {
  line: number;
  externalId: string;
  firstName: string;
  email: string;
  /** Lower-cased `iso6393` or `iso6393/variant` keys, each once. */
  languages: { key: string; level: number }[];
  relayLanguages?: { code: string; level: number }[];
  /** In the order of SPECIALTIES. */
  specialties?: Specialty[];
  certificationBody?: string | null;
  certificationNumber?: string | null;
  /** YYYY-MM-DD. */
  certificationExpires?: string | null;
  gender?: Gender | null;
  status?: InterpreterStatus;
}

/** A row whose languages were found in the catalogue. */
export interface ResolvedRow extends Omit<ParsedRow, 'languages' | 'relayLanguages'> {
  languages: { languageId: string; level: number }[];
  relayLanguages?: { languageId: string; level: number }[];
}

const EXTERNAL_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ISO6393 = /^[a-z]{3}$/;
const LANGUAGE_KEY = /^[a-z]{3}(\/[a-z0-9][a-z0-9._-]{0,59})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Validates one record; every problem of the row is reported, each naming its column. */
export function parseRow(record: RosterRecord): { row: ParsedRow | null; errors: RowError[] } {
  const { line, values: v } = record;
  const errors: RowError[] = [...record.problems];
  const fail = (field: string, message: string) => errors.push({ line, field, message });

  const externalId = v.external_id ?? '';
  if (!EXTERNAL_ID.test(externalId)) fail('external_id', 'external_id must be 1-64 letters, digits, dots, dashes or underscores');

  const firstName = v.first_name ?? '';
  if (!firstName || [...firstName].length > 60) fail('first_name', 'first_name must be 1-60 characters');
  else if (hasInvisible(firstName)) fail('first_name', invisibleMessage('first_name'));

  const email = (v.email ?? '').toLowerCase();
  if (email.length > 254 || !isEmail(email)) fail('email', 'email must be a valid email address');

  const languages: ParsedRow['languages'] = [];
  const items = splitList(v.languages);
  if (!items.length) fail('languages', 'languages must list at least one iso6393[/variant]:level, e.g. mam:5;quc/central:3');
  for (const item of items) {
    const { key, level } = withLevel(item, null);
    if (!LANGUAGE_KEY.test(key)) {
      fail('languages', `unknown language code ${JSON.stringify(key)} (expected iso6393[/variant]:level)`);
      continue;
    }
    if (level === null) fail('languages', `${key} needs a level from 1 to 5 (e.g. ${key}:4)`);
    else if (languages.some((l) => l.key === key)) fail('languages', `${key} is listed twice`);
    else languages.push({ key, level });
  }

  // A relay language with a level like a language (`spa:5`); a bare code is level 5 (the older form).
  let relayLanguages: ParsedRow['relayLanguages'];
  if (v.relay_languages !== undefined) {
    relayLanguages = [];
    for (const item of splitList(v.relay_languages)) {
      const { key: code, level } = withLevel(item, 5);
      if (!ISO6393.test(code))
        fail('relay_languages', `unknown language code ${JSON.stringify(code)} (relay languages are ISO 639-3 codes, e.g. spa:5;eng:3)`);
      else if (level === null) fail('relay_languages', `${code} needs a level from 1 to 5 (e.g. ${code}:4), or none for 5`);
      else if (!relayLanguages.some((r) => r.code === code)) relayLanguages.push({ code, level });
    }
  }

  let specialties: Specialty[] | undefined;
  if (v.specialties !== undefined) {
    const given = splitList(v.specialties).map((s) => s.toLowerCase());
    for (const s of given) {
      if (!(SPECIALTIES as readonly string[]).includes(s))
        fail('specialties', `unknown specialty ${JSON.stringify(s)} (one of ${SPECIALTIES.join(', ')})`);
    }
    specialties = SPECIALTIES.filter((s) => given.includes(s));
  }

  const certificationBody = optionalText(v.certification_body, 'certification_body', 120, fail);
  const certificationNumber = optionalText(v.certification_number, 'certification_number', 60, fail);
  let certificationExpires: string | null | undefined;
  if (v.certification_expires !== undefined) {
    certificationExpires = v.certification_expires || null;
    if (certificationExpires && !isCalendarDate(certificationExpires)) {
      fail('certification_expires', 'certification_expires must be a real date written YYYY-MM-DD');
    }
  }

  let gender: Gender | null | undefined;
  if (v.gender !== undefined) {
    const g = v.gender.toLowerCase();
    if (g && !(GENDERS as readonly string[]).includes(g)) fail('gender', `gender must be ${GENDERS.join(', ')} or empty`);
    gender = (g || null) as Gender | null;
  }

  // Empty: a new row is active and a stored one keeps its status (a suspension made in the console is not undone
  // by the next import of the national file).
  let status: InterpreterStatus | undefined;
  if (v.status) {
    const s = v.status.toLowerCase();
    if (!(INTERPRETER_STATUSES as readonly string[]).includes(s))
      fail('status', `status must be ${INTERPRETER_STATUSES.join(' or ')}, or empty`);
    status = s as InterpreterStatus;
  }

  if (errors.length) return { row: null, errors };
  return {
    row: {
      line,
      externalId,
      firstName,
      email,
      languages,
      relayLanguages,
      specialties,
      certificationBody,
      certificationNumber,
      certificationExpires,
      gender,
      status,
    },
    errors,
  };
}

/**
 * Later rows that repeat an earlier row's external_id, mapped to the line of the first one. The first
 * row wins even if it is itself invalid: a file that says two things about one person is not guessed at.
 */
export function findDuplicates(records: RosterRecord[]): Map<number, number> {
  const first = new Map<string, number>();
  const duplicates = new Map<number, number>();
  for (const { line, values } of records) {
    const id = values.external_id;
    if (!id) continue;
    const seen = first.get(id);
    if (seen === undefined) first.set(id, line);
    else duplicates.set(line, seen);
  }
  return duplicates;
}

/** Every catalogue key the rows need, languages and relay languages alike, each once. */
export function languageKeys(rows: ParsedRow[]): string[] {
  const keys = new Set<string>();
  for (const row of rows) {
    for (const l of row.languages) keys.add(l.key);
    for (const { code } of row.relayLanguages ?? []) keys.add(code);
  }
  return [...keys];
}

/** Replaces the row's language keys by catalogue ids; a key the catalogue does not know rejects the row. */
export function resolveRow(row: ParsedRow, catalogue: Map<string, { id: string } | null>): { row: ResolvedRow | null; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (field: string, message: string) => errors.push({ line: row.line, field, message });
  const languages: ResolvedRow['languages'] = [];
  for (const { key, level } of row.languages) {
    const found = catalogue.get(key);
    if (!found) fail('languages', key.includes('/') ? `unknown language variant ${key}` : `unknown language code ${key}`);
    else if (languages.some((l) => l.languageId === found.id)) fail('languages', `${key} is listed twice`);
    else languages.push({ languageId: found.id, level });
  }
  let relayLanguages: ResolvedRow['relayLanguages'];
  if (row.relayLanguages) {
    relayLanguages = [];
    for (const { code, level } of row.relayLanguages) {
      const found = catalogue.get(code);
      if (!found) fail('relay_languages', `unknown language code ${code}`);
      else if (!relayLanguages.some((r) => r.languageId === found.id)) relayLanguages.push({ languageId: found.id, level });
    }
  }
  if (errors.length) return { row: null, errors };
  const { languages: _keys, relayLanguages: _relay, ...rest } = row;
  return { row: { ...rest, languages, relayLanguages }, errors };
}

/**
 * A list item `key:level`, the key lower-cased; `level` is null unless it is 1 to 5. An item without `:level` has
 * `bare` (null where a level is required).
 */
function withLevel(item: string, bare: number | null): { key: string; level: number | null } {
  const m = /^(.*):\s*(\S*)$/.exec(item);
  if (!m) return { key: item.trim().toLowerCase(), level: bare };
  return { key: m[1].trim().toLowerCase(), level: /^[1-5]$/.test(m[2]) ? Number(m[2]) : null };
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

function optionalText(
  value: string | undefined,
  field: string,
  max: number,
  fail: (field: string, message: string) => void,
): string | null | undefined {
  if (value === undefined) return undefined;
  if ([...value].length > max) fail(field, `${field} must be at most ${max} characters`);
  else if (hasInvisible(value)) fail(field, invisibleMessage(field));
  return value || null;
}

/** YYYY-MM-DD naming a day that exists (2026-02-30 does not). */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
