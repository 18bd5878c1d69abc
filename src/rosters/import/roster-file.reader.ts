import { parse } from 'csv-parse/sync';
import { isRosterColumn, REQUIRED_COLUMNS, RosterColumn, RosterFileError, RosterRecord, ROSTER_COLUMNS } from './roster-columns';

/** Decodes an uploaded file; anything but valid UTF-8 is refused rather than silently mangled. */
export function decodeUtf8(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw new RosterFileError('the file is not valid UTF-8', 'file');
  }
}

/** Reads a roster CSV (UTF-8, optional BOM, header row required) into records with their line numbers. */
export function readCsv(text: string): RosterRecord[] {
  let rows: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    rows = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new RosterFileError(
      `the file is not valid CSV${line ? ` (line ${line})` : ''}: ${(e as Error).message.replace(/^Invalid \w+: /, '')}`,
      'file',
    );
  }
  if (!rows.length) throw new RosterFileError(`the file is empty: a header row is required (${ROSTER_COLUMNS.join(',')})`, 'header');
  const header = readHeader(rows[0].record);

  const records: RosterRecord[] = [];
  // csv-parse reports the line a record ends on; a quoted cell may span lines, so the record starts
  // right after the previous one (plus any blank lines skipped in between).
  let prevEnd = rows[0].info.lines;
  let prevEmpty = rows[0].info.empty_lines;
  for (const { record, info } of rows.slice(1)) {
    const line = prevEnd + 1 + (info.empty_lines - prevEmpty);
    prevEnd = info.lines;
    prevEmpty = info.empty_lines;
    const values: RosterRecord['values'] = {};
    header.forEach((column, i) => (values[column] = record[i] ?? ''));
    const problems =
      record.length === header.length
        ? []
        : [{ line, field: 'row', message: `has ${record.length} cell(s) but the header has ${header.length}` }];
    records.push({ line, values, problems });
  }
  return records;
}

function readHeader(cells: string[]): RosterColumn[] {
  const header = cells.map((c) => c.trim().toLowerCase());
  const unknown = header.filter((c) => !isRosterColumn(c));
  const missing = REQUIRED_COLUMNS.find((c) => !header.includes(c));
  if (missing) {
    // A file whose first line is data, not a header, ends up here too.
    const found = unknown.length
      ? ` (unknown: ${unknown
          .slice(0, 3)
          .map((c) => JSON.stringify(c))
          .join(', ')})`
      : '';
    throw new RosterFileError(
      `the header row is missing the required column ${missing}${found}; expected ${ROSTER_COLUMNS.join(',')}`,
      missing,
    );
  }
  if (unknown.length)
    throw new RosterFileError(
      `unknown column ${JSON.stringify(unknown[0])} in the header; expected ${ROSTER_COLUMNS.join(',')}`,
      unknown[0] || 'header',
    );
  const repeated = header.find((c, i) => header.indexOf(c) !== i);
  if (repeated) throw new RosterFileError(`column ${repeated} appears twice in the header`, repeated);
  return header as RosterColumn[];
}

/**
 * Reads a JSON body: an array of objects keyed by the CSV column names. Values are strings (numbers are
 * accepted as their decimal text, null as empty); the `;`-separated lists may also be arrays of strings.
 * A key the object leaves out is a column the file does not have.
 */
export function readJson(body: unknown): RosterRecord[] {
  if (!Array.isArray(body)) throw new RosterFileError('a JSON body must be an array of roster rows', 'body');
  return body.map((item, index) => {
    const line = index + 1;
    const record: RosterRecord = { line, values: {}, problems: [] };
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      record.problems.push({ line, field: 'row', message: 'must be an object keyed by column name' });
      return record;
    }
    for (const [key, value] of Object.entries(item)) {
      if (!isRosterColumn(key)) {
        record.problems.push({ line, field: key, message: `unknown column ${key}` });
        continue;
      }
      const text = jsonCell(value);
      if (text === undefined) record.problems.push({ line, field: key, message: `${key} must be a string` });
      else record.values[key] = text;
    }
    for (const column of REQUIRED_COLUMNS) {
      if (!(column in item)) record.problems.push({ line, field: column, message: `${column} is required` });
    }
    return record;
  });
}

function jsonCell(value: unknown): string | undefined {
  if (value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim()).join(';');
  return undefined;
}
