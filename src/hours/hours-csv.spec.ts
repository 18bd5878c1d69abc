import { parse } from 'csv-parse/sync';
import { hoursCsv, safeCell } from './hours-csv';

describe('hours CSV', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+1+1', `'+1+1`],
    ['-2', `'-2`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['Ana', 'Ana'],
    ['María-José', 'María-José'],
  ])('keeps %j as text: %j', (value, safe) => {
    expect(safeCell(value)).toBe(safe);
  });

  it('writes a header and one row per interpreter, quoting what needs it', () => {
    const csv = hoursCsv([
      { externalId: 'GT-1', firstName: 'Ana, "la de Huehue"', calls: 3, callMinutes: 42.5, hearings: 1, hearingMinutes: 90 },
      { externalId: '=cmd', firstName: 'Rosa', calls: 0, callMinutes: 0, hearings: 0, hearingMinutes: 0 },
    ]);
    expect(csv.startsWith('external_id,first_name,calls,call_minutes,hearings,hearing_minutes\r\n')).toBe(true);
    expect(parse(csv, { columns: true })).toEqual([
      { external_id: 'GT-1', first_name: 'Ana, "la de Huehue"', calls: '3', call_minutes: '42.5', hearings: '1', hearing_minutes: '90' },
      { external_id: "'=cmd", first_name: 'Rosa', calls: '0', call_minutes: '0', hearings: '0', hearing_minutes: '0' },
    ]);
  });
});
