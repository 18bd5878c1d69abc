/**
 * The callers (token subjects) whose request this node ended a moment ago (MatchingService.finish): when such a caller's
 * socket then closes (she hung up), she has no live request to keep, and her disconnect asks PostgreSQL nothing (one
 * round trip per call). A request she is making on this node takes her out, and keeps her out until it is made
 * (`asking`): an end that lands meanwhile was her earlier request's. Kept KEEP_MS (older ones go as callers come and go),
 * in memory only, never more than MAX of them. If she asked again through another node meanwhile, her disconnect here is
 * skipped: the sweep gives her the grace period (MatchingProcessor's orphans), a sweep later.
 */
export class EndedHere {
  static readonly KEEP_MS = 60_000;
  static readonly MAX = 10_000;
  private readonly at = new Map<string, number>();
  /** Callers making a request on this node now, with how many. */
  private readonly asked = new Map<string, number>();

  /** Her request ended here at `now` (milliseconds); not while she is making another. */
  add(sub: string, now: number) {
    this.prune(now);
    if (this.asked.has(sub)) return;
    if (this.at.size >= EndedHere.MAX) this.at.clear();
    this.at.delete(sub);
    this.at.set(sub, now);
  }

  /** She is making a request: out until `done()` is called (when it is made, or refused). */
  asking(sub: string): () => void {
    this.at.delete(sub);
    this.asked.set(sub, (this.asked.get(sub) ?? 0) + 1);
    return () => {
      const n = (this.asked.get(sub) ?? 1) - 1;
      if (n > 0) this.asked.set(sub, n);
      else this.asked.delete(sub);
    };
  }

  /** Whether her request ended here within KEEP_MS (and, either way, forgets her). */
  take(sub: string, now: number): boolean {
    this.prune(now);
    const at = this.at.get(sub);
    this.at.delete(sub);
    return at !== undefined;
  }

  /** Entries are kept in the order they were added: the oldest go first. */
  private prune(now: number) {
    for (const [sub, at] of this.at) {
      if (at > now - EndedHere.KEEP_MS) break;
      this.at.delete(sub);
    }
  }
}
