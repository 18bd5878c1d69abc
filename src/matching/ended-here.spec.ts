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

  it('forgets a caller who asks again, and ignores an end that lands while she is asking', () => {
    const ended = new EndedHere();
    ended.add('a', 1_000);
    const done = ended.asking('a');
    // Her earlier request's end, told after she began asking again: her new request is live.
    ended.add('a', 1_100);
    done();
    expect(ended.take('a', 1_500)).toBe(false);
    // Once she is no longer asking, an end counts again.
    ended.add('a', 1_600);
    expect(ended.take('a', 1_700)).toBe(true);
  });

  it('counts two requests being made at once by one caller until both are done', () => {
    const ended = new EndedHere();
    const one = ended.asking('a');
    const two = ended.asking('a');
    one();
    ended.add('a', 1_000);
    two();
    expect(ended.take('a', 1_100)).toBe(false);
  });

  it('drops the entries past KEEP_MS as callers come and go, and keeps no more than MAX', () => {
    const ended = new EndedHere();
    const size = () => (ended as unknown as { at: Map<string, number> }).at.size;
    ended.add('old', 0);
    ended.take('someone', EndedHere.KEEP_MS + 1);
    expect(size()).toBe(0);
    for (let i = 0; i < EndedHere.MAX + 5; i++) ended.add(`s${i}`, EndedHere.KEEP_MS + 2);
    expect(size()).toBeLessThanOrEqual(EndedHere.MAX);
    expect(ended.take(`s${EndedHere.MAX + 4}`, EndedHere.KEEP_MS + 3)).toBe(true);
  });
});
