import { RosterFileError } from './roster-columns';
import { decodeUtf8, readCsv, readJson } from './roster-file.reader';

const HEADER = 'external_id,first_name,email,languages';

function fileError(fn: () => unknown): RosterFileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RosterFileError) return e;
    throw e;
  }
  throw new Error('expected a RosterFileError');
}

describe('readCsv', () => {
  it('strips the BOM, keeps only the columns the file has, and numbers lines from the header', () => {
    const records = readCsv(`\uFEFF${HEADER},Gender\r\nA,Ana,a@b.org,mam:5, female \r\n\r\nB,"Bea, la de ""arriba""",b@b.org,quc:3,\n`);
    expect(records).toEqual([
      { line: 2, values: { external_id: 'A', first_name: 'Ana', email: 'a@b.org', languages: 'mam:5', gender: 'female' }, problems: [] },
      {
        line: 4,
        values: { external_id: 'B', first_name: 'Bea, la de "arriba"', email: 'b@b.org', languages: 'quc:3', gender: '' },
        problems: [],
      },
    ]);
  });

  it('gives a record spanning lines the line it starts on, and counts the lines after it right', () => {
    const records = readCsv(`${HEADER}\nA,"An\na",a@b.org,mam:5\nB,Bea,b@b.org,mam:5\n`);
    expect(records.map((r) => r.line)).toEqual([2, 4]);
  });

  it('flags a row with the wrong number of cells', () => {
    const [rec] = readCsv(`${HEADER}\nA,Ana\n`);
    expect(rec.problems).toEqual([{ line: 2, field: 'row', message: 'has 2 cell(s) but the header has 4' }]);
  });

  it('refuses an empty file, a missing header and a missing column, naming the column', () => {
    expect(fileError(() => readCsv('')).field).toBe('header');
    expect(fileError(() => readCsv('\uFEFF\n\n')).field).toBe('header');
    const noHeader = fileError(() => readCsv('A,Ana,a@b.org,mam:5\n'));
    expect(noHeader.field).toBe('external_id');
    expect(noHeader.message).toContain('missing the required column external_id');
    expect(fileError(() => readCsv('external_id,first_name,languages\n')).field).toBe('email');
  });

  it('refuses an unknown or repeated column', () => {
    expect(fileError(() => readCsv(`${HEADER},notes\n`)).field).toBe('notes');
    expect(fileError(() => readCsv(`${HEADER},email\n`)).field).toBe('email');
  });

  it('refuses a file that is not CSV', () => {
    expect(fileError(() => readCsv(`${HEADER}\nA,"Ana,a@b.org,mam:5\n`)).field).toBe('file');
  });
});

describe('readJson', () => {
  it('numbers rows from 1 and accepts lists as arrays', () => {
    const [rec] = readJson([{ external_id: 7, first_name: ' Ana ', email: 'a@b.org', languages: ['mam:5', 'quc:2'], gender: null }]);
    expect(rec).toEqual({
      line: 1,
      values: { external_id: '7', first_name: 'Ana', email: 'a@b.org', languages: 'mam:5;quc:2', gender: '' },
      problems: [],
    });
  });

  it('reports unknown keys, missing required keys and non-objects as row problems', () => {
    const [a, b] = readJson([{ external_id: 'A', first_name: 'Ana', email: 'a@b.org', nickname: 'x' }, 'oops']);
    expect(a.problems.map((p) => p.field)).toEqual(['nickname', 'languages']);
    expect(b.problems).toEqual([{ line: 2, field: 'row', message: 'must be an object keyed by column name' }]);
  });

  it('refuses a body that is not an array', () => {
    expect(fileError(() => readJson({ rows: [] })).field).toBe('body');
  });
});

describe('decodeUtf8', () => {
  it('refuses bytes that are not UTF-8', () => {
    expect(decodeUtf8(Buffer.from('Ñ', 'utf8'))).toBe('Ñ');
    expect(fileError(() => decodeUtf8(Buffer.from([0x41, 0xd1, 0x41]))).field).toBe('file');
  });
});
