import { uuidArray } from './uuid-array';

describe('uuidArray (a uuid[] parameter in binary form)', () => {
  it('lays out one dimension: header, then each element as its length and 16 bytes', () => {
    const b = uuidArray(['00112233-4455-6677-8899-aabbccddeeff', 'FFEEDDCC-BBAA-9988-7766-554433221100']);
    expect(b.length).toBe(20 + 2 * 20);
    expect([b.readInt32BE(0), b.readInt32BE(4), b.readUInt32BE(8), b.readInt32BE(12), b.readInt32BE(16)]).toEqual([1, 0, 2950, 2, 1]);
    expect(b.readInt32BE(20)).toBe(16);
    expect(b.subarray(24, 40).toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect(b.readInt32BE(40)).toBe(16);
    expect(b.subarray(44, 60).toString('hex')).toBe('ffeeddccbbaa99887766554433221100');
  });

  it('writes an empty list as an array of no dimensions', () => {
    const b = uuidArray([]);
    expect(b.length).toBe(12);
    expect([b.readInt32BE(0), b.readInt32BE(4), b.readUInt32BE(8)]).toEqual([0, 0, 2950]);
  });

  it.each([['not-a-uuid'], ['00112233-4455-6677-8899-aabbccddeef'], ['00112233-4455-6677-8899-aabbccddeefg'], [''], [null]])(
    'refuses %p, naming the element',
    (bad) => {
      expect(() => uuidArray(['00112233-4455-6677-8899-aabbccddeeff', bad as string])).toThrow('element 1 is not a uuid');
    },
  );
});
