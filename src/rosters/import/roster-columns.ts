/** The roster file's columns (API.md), in their documented order. */
export const ROSTER_COLUMNS = [
  'external_id',
  'first_name',
  'email',
  'languages',
  'relay_languages',
  'specialties',
  'certification_body',
  'certification_number',
  'certification_expires',
  'gender',
  'status',
] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];

/**
 * Columns every file must have. The others may be left out: a column absent from the file leaves that
 * field as it is on interpreters already in the roster (and empty on new ones), while an empty cell
 * clears it.
 */
export const REQUIRED_COLUMNS: readonly RosterColumn[] = ['external_id', 'first_name', 'email', 'languages'];

export function isRosterColumn(name: string): name is RosterColumn {
  return (ROSTER_COLUMNS as readonly string[]).includes(name);
}

/** One row of the file before validation: only the columns the file has, as trimmed strings. */
export interface RosterRecord {
  /** The file's line number (header = 1), or the array index + 1 for a JSON body. */
  line: number;
  values: Partial<Record<RosterColumn, string>>;
  /** Problems found while reading the row (wrong number of cells, unknown keys...). */
  problems: RowError[];
}

/** A rejected row, as reported to the roster administrator. `field` is a column name, or `row`. */
export interface RowError {
  line: number;
  field: string;
  message: string;
}

/** The whole file is unusable (no header, a missing required column...): HTTP 400 naming `field`. */
export class RosterFileError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}
