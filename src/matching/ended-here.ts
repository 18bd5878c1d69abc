/**
 * The callers (token subjects) whose request this node ended a moment ago (MatchingService.finish): when such a caller's
 * socket then closes (she hung up), she has no live request to keep, and her disconnect asks PostgreSQL nothing (one
 * round trip per call). A request she makes on this node takes her out. Kept KEEP_MS at most, in memory only, and never
 * more than MAX of them. If she asked again through another node meanwhile, her disconnect here is skipped: the sweep
 * gives her the grace period (MatchingProcessor's orphans), a sweep later.
 */
export class EndedHere {
  static readonly KEEP_MS = 60_000;
  static readonly MAX = 10_000;
  private readonly at = new Map<string, number>();

  /** Her request ended here at `now` (milliseconds). */
  add(sub: string, now: number) {
    this.prune(now);
    if (this.at.size >= EndedHere.MAX) this.at.clear();
    this.at.delete(sub);
    this.at.set(sub, now);
  }

  /** She asked again: a request of hers is live. */
  forget(sub: string) {
    this.at.delete(sub);
  }

  /** Whether her request ended here within KEEP_MS (and, either way, forgets her). */
  take(sub: string, now: number): boolean {
    const at = this.at.get(sub);
    this.at.delete(sub);
    return at !== undefined && at > now - EndedHere.KEEP_MS;
  }

  /** Entries are kept in the order they were added: the oldest go first. */
  private prune(now: number) {
    for (const [sub, at] of this.at) {
      if (at > now - EndedHere.KEEP_MS) break;
      this.at.delete(sub);
    }
  }
}
