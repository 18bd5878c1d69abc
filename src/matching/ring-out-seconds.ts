/**
 * The seconds whose ring-out job this node has added (MatchingService.ringsOutAt), so that it adds each once: the
 * offers of one second share one Bull job, and adding it again for each of them cost a Redis script call per offer.
 * A second that has come is forgotten (its job has run, or runs at once if added again); a failed add is forgotten at
 * once, so the next offer of that second tries again. Another node adding the same second is harmless: Bull keeps the
 * first job of an id.
 */
export class RingOutSeconds {
  private readonly added = new Map<number, Promise<unknown>>();

  /** `add()` for `second` unless this node added it already; `now` in milliseconds. */
  once(second: number, now: number, add: () => Promise<unknown>): Promise<unknown> {
    // At most one entry per second of the longest ring time (OFFER_RING_ONCALL_SECONDS): a short walk.
    for (const s of this.added.keys()) if (s * 1000 <= now) this.added.delete(s);
    const known = this.added.get(second);
    if (known) return known;
    const adding = add();
    this.added.set(second, adding);
    adding.catch(() => {
      if (this.added.get(second) === adding) this.added.delete(second);
    });
    return adding;
  }
}
