import { randomUUID } from 'node:crypto';
import { uuidArray } from '../../src/database/uuid-array';
import { adminQuery } from '../utils/db';

/** The binary uuid[] parameter (src/database/uuid-array.ts) as PostgreSQL reads it: the same array the text form gave. */
describe('uuidArray read by PostgreSQL', () => {
  it.each([0, 1, 45])('a list of %i arrives as the same uuid[], in order', async (n) => {
    const ids = Array.from({ length: n }, () => randomUUID());
    const [r] = await adminQuery<{ a: string[]; text: string[]; dims: string | null }>(
      `SELECT $1::uuid[] AS a, $2::uuid[] AS text, array_dims($1::uuid[]) AS dims`,
      [uuidArray(ids), ids],
    );
    expect(r.a).toEqual(ids);
    expect(r.a).toEqual(r.text);
    expect(r.dims).toBe(n ? `[1:${n}]` : null);
  });

  it('is refused as another type of array (its element type is checked)', async () => {
    await expect(adminQuery(`SELECT $1::int[] AS a`, [uuidArray([randomUUID()])])).rejects.toThrow(/element type/);
  });
});
