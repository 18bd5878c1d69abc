import { EndedHere } from './ended-here';

describe('EndedHere', () => {
  it('knows a caller whose request ended here, once, and for KEEP_MS only', () => {
    const ended = new EndedHere();
    ended.add('a', 1_000);
    ended.add('b', 1_000);
    expect(ended.take('a', 2_000)).toBe(true);
    // Once: a second disconnect of hers is asked about.
    expect(ended.take('a', 2_000)).toBe(false);
    expect(ended.take('b', 1_000 + EndedHere.KEEP_MS)).toBe(false);
    expect(ended.take('nobody', 2_000)).toBe(false);
  });

  it('forgets a caller who asks again', () => {
    const ended = new EndedHere();
    ended.add('a', 1_000);
    ended.forget('a');
    expect(ended.take('a', 1_500)).toBe(false);
  });

  it('drops the entries past KEEP_MS as others are added, and keeps no more than MAX', () => {
    const ended = new EndedHere();
    ended.add('old', 0);
    ended.add('new', EndedHere.KEEP_MS + 1);
    expect((ended as unknown as { at: Map<string, number> }).at.has('old')).toBe(false);
    for (let i = 0; i < EndedHere.MAX + 5; i++) ended.add(`s${i}`, EndedHere.KEEP_MS + 2);
    expect((ended as unknown as { at: Map<string, number> }).at.size).toBeLessThanOrEqual(EndedHere.MAX);
    expect(ended.take(`s${EndedHere.MAX + 4}`, EndedHere.KEEP_MS + 3)).toBe(true);
  });
});
