/**
 * The test that a row read by its key is still live, written so that no partial index of live rows can answer it:
 * each means what the plain test means for its column (a domain over text, or a NOT NULL one), but PostgreSQL cannot
 * prove an index's predicate from it, so the key's index is the only one left to the plan. A plan made while few rows
 * were live (a table analysed on a quiet night; a connection keeps its generic plans until the next ANALYZE) chose
 * such a partial index, with nothing in it to look up, over the key, and read every offer ringing, every hold or every
 * live call to find one; and, where one keyed as the rows are looked up exists, another of the same predicate walked
 * whole (the pending offers by expiry for those of a request): all looked empty, and the choice was a tie.
 * BENCHMARKS.md, "Stop 47" and "Stop 48"; test/medium/ladder.medium-spec.ts counts the entries read. 20-matching.sql
 * writes the same forms inline (a SQL function would be inlined back into the plain test).
 */
export const byKey = {
  /** `outcome IS NULL`: an offer not decided yet. */
  undecided: (outcome = 'outcome') => `(${outcome} || '') IS NULL`,
  /** `holds`: an offer that holds its interpreter. */
  holding: (holds = 'holds') => `${holds} IS NOT FALSE`,
  /** `ended_at IS NULL`: a session, or a seat in one, not ended. */
  notEnded: (endedAt = 'ended_at') => `coalesce(${endedAt}, 'infinity') = 'infinity'`,
  /** `state IN (...)`. */
  inStates: (state: string, states: readonly string[]) => `(${state} || '') IN (${states.map((s) => `'${s}'`).join(', ')})`,
};
