/**
 * The guarantees of matching (DESIGN.md), checked after the fact from what PostgreSQL and the audit chain
 * recorded, so that a test can run a crowd through the system and then prove nothing went wrong.
 *
 * Two clocks are used. The tables' timestamps give time intervals (an offer is pending from `created_at` to
 * `decided_at`, a session is live from `created_at` to `ended_at`). The audit chain gives the order of
 * transactions that conflict: matching writes its events to an outbox (a sequence number each, taken inside
 * the transaction, after its locks), and one node at a time moves them into the chain in that order. Two
 * transactions on the same request, or on the same interpreter's hold, wait for each other, so the later
 * one's events always come after the earlier one's in `seq`. An interval in `seq` order runs from the event
 * of the transaction that opened it to the event of the transaction that closed it.
 */

import { COUNTRY_CODES } from '../../src/common/countries';

export type Sql = <T = Record<string, unknown>>(query: string, params?: unknown[]) => Promise<T[]>;

export const TERMINAL = ['completed', 'cancelled', 'unmatched', 'abandoned'];

interface RequestRow {
  id: string;
  state: string;
  caller_sub: string | null;
  interpreter_id: string | null;
  accepted_at: Date | null;
  ended_at: Date | null;
}
interface OfferRow {
  id: string;
  request_id: string;
  interpreter_id: string;
  outcome: string | null;
  created_at: Date;
  decided_at: Date | null;
  /** An acceptance whose call was lost (the interpreter vanished) and handed to the next one. */
  superseded_at: Date | null;
  /** The whole call (`direct`), or a relay chain's `source` or `relay` leg. */
  leg: string;
}
interface SessionRow {
  id: string;
  request_id: string | null;
  interpreter_id: string;
  created_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}
interface EventRow {
  seq: number;
  type: string;
  subject_id: string | null;
  data: Record<string, string | number | boolean | null>;
}

export interface MatchingSummary {
  requests: number;
  byState: Record<string, number>;
  offers: number;
  byOutcome: Record<string, number>;
  sessions: number;
  events: number;
}

interface Interval {
  id: string;
  from: number;
  to: number;
}

/** Pairs of intervals that overlap (half-open [from, to)), per owner. */
function overlaps(byOwner: Map<string, Interval[]>): [string, Interval, Interval][] {
  const found: [string, Interval, Interval][] = [];
  for (const [owner, list] of byOwner) {
    const sorted = [...list].sort((a, b) => a.from - b.from);
    let open: Interval | undefined;
    for (const i of sorted) {
      if (open && i.from < open.to) found.push([owner, open, i]);
      if (!open || i.to > open.to) open = i;
    }
  }
  return found;
}

function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(i);
  }
  return m;
}

const count = <T>(items: T[], key: (t: T) => string) =>
  items.reduce<Record<string, number>>((acc, i) => ((acc[key(i)] = (acc[key(i)] ?? 0) + 1), acc), {});

/**
 * Every violation found, as readable sentences (empty when all guarantees held). `requestIds` are the
 * requests the test was told were created: each must exist (none lost).
 */
export async function matchingViolations(
  sql: Sql,
  requestIds: string[],
  rules: { homeCountry: string | null },
): Promise<{ violations: string[]; summary: MatchingSummary }> {
  const v: string[] = [];
  await untilAuditMoved(sql);
  const requests = await sql<RequestRow>(
    `SELECT id, state, caller_sub, interpreter_id, accepted_at, ended_at FROM interpretation_requests`,
  );
  const column = async (name: string) =>
    (await sql(`SELECT 1 FROM information_schema.columns WHERE table_name = 'offers' AND column_name = $1`, [name])).length > 0;
  const offers = await sql<OfferRow>(
    `SELECT id, request_id, interpreter_id, outcome, created_at, decided_at,
     ${(await column('superseded_at')) ? 'superseded_at' : 'NULL::timestamptz AS superseded_at'},
     ${(await column('leg')) ? 'leg' : `'direct' AS leg`} FROM offers`,
  );
  const sessions = await sql<SessionRow>(`SELECT id, request_id, interpreter_id, created_at, ended_at, end_reason FROM sessions`);
  const events = (
    await sql<EventRow>(
      `SELECT seq, type, subject_id, data FROM audit_events WHERE type LIKE 'request.%' OR type LIKE 'offer.%' OR type = 'session.ended' ORDER BY seq`,
    )
  ).map((e) => ({ ...e, seq: Number(e.seq) }));

  // ---- states -------------------------------------------------------------------------------------------
  const byId = new Map(requests.map((r) => [r.id, r]));
  for (const id of requestIds) if (!byId.has(id)) v.push(`request ${id} was acknowledged but is not in the database`);
  for (const r of requests) {
    if (!TERMINAL.includes(r.state)) v.push(`request ${r.id} is still ${r.state}`);
    if (r.caller_sub !== null) v.push(`request ${r.id} (${r.state}) still holds the caller's token subject`);
  }
  for (const o of offers) if (!o.outcome || !o.decided_at) v.push(`offer ${o.id} has no outcome`);
  for (const s of sessions) if (!s.ended_at) v.push(`session ${s.id} never ended`);
  // Nothing holds an interpreter for a request that ended (a relay chain's leg accepted while its call had not opened
  // is released with it, as a ringing offer is withdrawn).
  const held = await sql<{ id: string; request_id: string }>(
    `SELECT o.id, o.request_id FROM offers o JOIN interpretation_requests r ON r.id = o.request_id WHERE o.holds AND r.ended_at IS NOT NULL`,
  );
  for (const o of held) v.push(`offer ${o.id} still holds its interpreter though request ${o.request_id} ended`);

  // ---- one acceptance (per round and leg), one session per acceptance -----------------------------------
  // A request is accepted once (a relay chain once on each leg); only if its interpreter was lost mid-call is it
  // requeued, the acceptance superseded, and accepted again by someone else. Every acceptance of a whole call
  // opened exactly one session (a chain's two acceptances open one between them, or none if it was released).
  const offersOf = group(offers, (o) => o.request_id);
  const sessionsOf = group(
    sessions.filter((s) => s.request_id),
    (s) => s.request_id!,
  );
  for (const r of requests) {
    const mine = offersOf.get(r.id) ?? [];
    const chained = mine.some((o) => o.leg !== 'direct');
    const accepted = mine.filter((o) => o.outcome === 'accepted' && (!chained || o.leg !== 'relay'));
    const current = accepted.filter((o) => !o.superseded_at);
    const own = sessionsOf.get(r.id) ?? [];
    for (const leg of ['direct', 'source', 'relay']) {
      const n = mine.filter((o) => o.leg === leg && o.outcome === 'accepted' && !o.superseded_at).length;
      if (n > 1) v.push(`request ${r.id} was accepted ${n} times${leg === 'direct' ? '' : ` on its ${leg} leg`}`);
    }
    if (chained ? own.length > accepted.length : own.length !== accepted.length)
      v.push(`request ${r.id} has ${accepted.length} accepted offer(s) but ${own.length} session(s)`);
    if (current.length === 1 && r.interpreter_id !== current[0].interpreter_id)
      v.push(`request ${r.id} names another interpreter than its acceptance`);
    if (r.state === 'completed' && current.length !== 1) v.push(`request ${r.id} is completed without an acceptance`);
    if (r.state === 'unmatched' && current.length) v.push(`request ${r.id} is unmatched although accepted`);
    if ((r.accepted_at !== null) !== (current.length === 1)) v.push(`request ${r.id}: accepted_at disagrees with its offers`);
  }

  // ---- who may be offered: active interpreters, from a roster that shares with the caller's country -------
  // (Her country, else the home roster; with neither, only rosters that share with every member state.)
  const wrongRoster = await sql<{ id: string; request_id: string; interpreter_id: string; country: string; borrower: string | null }>(
    `SELECT o.id, o.request_id, o.interpreter_id, i.country, coalesce(r.country, $1::char(2)) AS borrower
     FROM offers o JOIN interpretation_requests r ON r.id = o.request_id JOIN interpreters i ON i.id = o.interpreter_id
     WHERE NOT CASE WHEN coalesce(r.country, $1::char(2)) IS NOT NULL
       THEN i.country = coalesce(r.country, $1::char(2))
         OR EXISTS (SELECT 1 FROM roster_sharing s WHERE s.owner_country = i.country AND s.borrower_country = coalesce(r.country, $1::char(2)))
       ELSE (SELECT count(*) FROM roster_sharing s WHERE s.owner_country = i.country) = ${COUNTRY_CODES.length - 1} END`,
    [rules.homeCountry],
  );
  for (const o of wrongRoster)
    v.push(
      `offer ${o.id} of request ${o.request_id} went to ${o.interpreter_id} of roster ${o.country}, which does not share with ${o.borrower ?? 'everyone'}`,
    );
  const inactive = await sql<{ id: string; interpreter_id: string }>(
    `SELECT o.id, o.interpreter_id FROM offers o JOIN interpreters i ON i.id = o.interpreter_id WHERE i.status <> 'active'`,
  );
  for (const o of inactive) v.push(`offer ${o.id} went to ${o.interpreter_id}, who is not active (suspended)`);

  // ---- the tables' time intervals -----------------------------------------------------------------------
  const t = (d: Date | null) => (d ? new Date(d).getTime() : Number.POSITIVE_INFINITY);
  for (const [who, a, b] of overlaps(
    group(
      offers.map((o) => ({ id: o.id, from: t(o.created_at), to: t(o.decided_at), who: o.interpreter_id })),
      (i) => i.who,
    ),
  )) {
    v.push(`interpreter ${who} held offers ${a.id} and ${b.id} at the same time (offers table)`);
  }
  for (const [who, a, b] of overlaps(
    group(
      sessions.map((s) => ({ id: s.id, from: t(s.created_at), to: t(s.ended_at), who: s.interpreter_id })),
      (i) => i.who,
    ),
  )) {
    v.push(`interpreter ${who} was in sessions ${a.id} and ${b.id} at the same time (sessions table)`);
  }

  // ---- the audit chain: one story per request, consistent with its final state ---------------------------
  const eventsOf = group(
    events.filter((e) => e.type !== 'session.ended'),
    (e) => e.subject_id ?? '',
  );
  // A session's end is its session.ended event or, for a call that ended with its request's own step (completed,
  // cancelled, abandoned, requeued), that request event naming the session.
  const sessionEnded = new Map(events.filter((e) => e.type === 'session.ended').map((e) => [e.subject_id!, e]));
  for (const e of events) {
    if (e.type.startsWith('request.') && typeof e.data.sessionId === 'string' && !sessionEnded.has(e.data.sessionId))
      sessionEnded.set(e.data.sessionId, e);
  }
  const offerOpened = new Map<string, number>();
  const offerClosed = new Map<string, number>();
  const sessionOpened = new Map<string, number>();
  for (const r of requests) {
    const story = eventsOf.get(r.id) ?? [];
    const types = story.map((e) => e.type);
    const terminal = story.filter(
      (e) =>
        e.type.startsWith('request.') &&
        ![
          'request.created',
          'request.requeued',
          'request.connected',
          'request.queued',
          'request.relayed',
          'request.relay_unfilled',
        ].includes(e.type),
    );
    if (types.filter((x) => x === 'request.created').length !== 1 || types[0] !== 'request.created') {
      v.push(`request ${r.id}: its audit story does not start with one request.created (${types.join(', ')})`);
    }
    if (terminal.length !== 1 || terminal[0].type !== `request.${r.state}` || story.at(-1) !== terminal[0]) {
      v.push(`request ${r.id} is ${r.state} but its audit story ends ${types.slice(-3).join(', ')} (${terminal.length} terminal events)`);
      continue;
    }
    const end = terminal[0];
    const allAccepted = (offersOf.get(r.id) ?? []).filter((o) => o.outcome === 'accepted');
    const allAcceptances = story.filter((e) => e.type === 'offer.accepted');
    if (allAcceptances.length !== allAccepted.length)
      v.push(`request ${r.id} has ${allAccepted.length} accepted offers but ${allAcceptances.length} offer.accepted events`);
    // The acceptances that open a call: a whole call's, or a chain's source leg (its relay leg's opens nothing alone).
    const acceptances = allAcceptances.filter((e) => e.data.leg !== 'relay');
    for (let i = 1; i < acceptances.length; i++) {
      if (!story.some((e) => e.type === 'request.requeued' && e.seq > acceptances[i - 1].seq && e.seq < acceptances[i].seq)) {
        v.push(`request ${r.id} was accepted twice without being requeued in between`);
      }
    }
    const lastRequeue = story.filter((e) => e.type === 'request.requeued').at(-1);
    const acceptance = acceptances.at(-1);
    const inCall = !!acceptance && (!lastRequeue || lastRequeue.seq < acceptance.seq);
    const from = String(end.data.from);
    if (inCall ? !['accepted', 'connected'].includes(from) : !['queued', 'offering'].includes(from)) {
      v.push(`request ${r.id} ended from ${from}, ${inCall ? 'during' : 'without'} a call`);
    }
    const mine = new Map((offersOf.get(r.id) ?? []).map((o) => [o.id, o]));
    const created = story.filter((e) => e.type === 'offer.created');
    if (created.length !== mine.size) v.push(`request ${r.id} has ${mine.size} offers but ${created.length} offer.created events`);
    for (const e of created) {
      const o = mine.get(String(e.data.offerId));
      if (!o) v.push(`request ${r.id}: offer.created names offer ${e.data.offerId}, which is not one of its offers`);
      else if (o.interpreter_id !== e.data.interpreterId) v.push(`offer ${o.id}: offer.created names another interpreter`);
      offerOpened.set(String(e.data.offerId), e.seq);
    }
    // Closing events: an offer's own (accepted, declined, expired, withdrawn), else the request's acceptance
    // or its end, which withdraw every offer still ringing in the same transaction.
    for (const o of mine.values()) {
      const opened = offerOpened.get(o.id);
      if (opened === undefined) continue;
      const ownClose = story.find((e) => e.type.startsWith('offer.') && e.type !== 'offer.created' && e.data.offerId === o.id);
      if (ownClose) {
        if (ownClose.type !== `offer.${o.outcome}`) v.push(`offer ${o.id} is ${o.outcome} but its audit event is ${ownClose.type}`);
        offerClosed.set(o.id, ownClose.seq);
      } else if (o.outcome === 'withdrawn') {
        const closer = story.find((e) => e.seq > opened && (e.type === 'offer.accepted' || e === end));
        if (!closer) v.push(`offer ${o.id} was withdrawn with no event that withdrew it`);
        else offerClosed.set(o.id, closer.seq);
      } else {
        v.push(`offer ${o.id} is ${o.outcome} without an offer.${o.outcome} event`);
      }
      if ((offerClosed.get(o.id) ?? Infinity) <= opened) v.push(`offer ${o.id} closed before it opened in the audit chain`);
      if ((offerClosed.get(o.id) ?? -1) > end.seq) v.push(`offer ${o.id} closed after its request ended`);
    }
    // The acceptances that opened a call name its session: a whole call's, or a chain's second leg to accept, whose
    // session's lead is the chain's source leg.
    const openings = allAcceptances.filter((e) => typeof e.data.sessionId === 'string');
    for (const e of openings) {
      const s = (sessionsOf.get(r.id) ?? []).find((x) => x.id === e.data.sessionId);
      const ended = s && sessionEnded.get(s.id);
      const lead =
        e.data.leg === 'relay'
          ? [...mine.values()].find((o) => o.leg === 'source' && o.outcome === 'accepted' && o.interpreter_id === s?.interpreter_id)
          : mine.get(String(e.data.offerId));
      if (!s || s.interpreter_id !== lead?.interpreter_id) v.push(`request ${r.id}: offer.accepted names a session it does not have`);
      else if (!ended || ended.seq < e.seq || ended.seq > end.seq) v.push(`session ${s.id}: session.ended is missing or out of order`);
      else {
        sessionOpened.set(s.id, e.seq);
        if (e === openings.at(-1) && inCall && s.end_reason !== r.state)
          v.push(`request ${r.id} ended ${r.state} but its session ended ${s.end_reason}`);
      }
    }
  }

  // ---- the audit chain: never two offers, never two sessions, never an offer during a session ------------
  const inSeq = <T extends { id: string; interpreter_id: string }>(
    rows: T[],
    open: Map<string, number>,
    close: (r: T) => number | undefined,
  ) =>
    group(
      rows.filter((r) => open.has(r.id)).map((r) => ({ id: r.id, who: r.interpreter_id, from: open.get(r.id)!, to: close(r) ?? Infinity })),
      (i) => i.who,
    );
  const offerSpans = inSeq(offers, offerOpened, (o) => offerClosed.get(o.id));
  const sessionSpans = inSeq(sessions, sessionOpened, (s) => sessionEnded.get(s.id)?.seq);
  for (const [who, a, b] of overlaps(offerSpans))
    v.push(`interpreter ${who} held offers ${a.id} and ${b.id} at the same time (audit order)`);
  for (const [who, a, b] of overlaps(sessionSpans))
    v.push(`interpreter ${who} was in sessions ${a.id} and ${b.id} at the same time (audit order)`);
  const callsOf = group(
    sessions
      .filter((s) => sessionOpened.has(s.id))
      .map((s) => ({ id: s.id, request: s.request_id!, from: sessionOpened.get(s.id)!, to: sessionEnded.get(s.id)?.seq ?? Infinity })),
    (i) => i.request,
  );
  for (const [request, a, b] of overlaps(callsOf)) v.push(`request ${request} had sessions ${a.id} and ${b.id} live at the same time`);
  for (const [who, spans] of sessionSpans) {
    for (const o of offerSpans.get(who) ?? []) {
      const during = spans.find((s) => o.from > s.from && o.from < s.to);
      if (during) v.push(`interpreter ${who} was offered ${o.id} while in session ${during.id}`);
    }
  }

  return {
    violations: v,
    summary: {
      requests: requests.length,
      byState: count(requests, (r) => r.state),
      offers: offers.length,
      byOutcome: count(offers, (o) => o.outcome ?? 'pending'),
      sessions: sessions.length,
      events: events.length,
    },
  };
}

/** Polls until every request is terminal; fails with the stragglers named when `boundMs` passes. */
export async function untilAllTerminal(sql: Sql, expected: number, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const live = await sql<{ id: string; state: string }>(`SELECT id, state FROM interpretation_requests WHERE state <> ALL ($1::text[])`, [
      TERMINAL,
    ]);
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM interpretation_requests`);
    if (!live.length && n >= expected) return;
    if (Date.now() > deadline) {
      throw new Error(
        `not every request reached a terminal state within ${boundMs / 1000} s: ${n}/${expected} exist, ${live.length} still live: ` +
          JSON.stringify(count(live, (r) => r.state)) +
          ` e.g. ${live
            .slice(0, 5)
            .map((r) => `${r.id}=${r.state}`)
            .join(', ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Waits (bounded) until the audit events of matching have all been moved from the outbox into the chain
 * (they are, moments after each step), so that the chain can be read as the whole story.
 */
export async function untilAuditMoved(sql: Sql, boundMs = 30_000): Promise<void> {
  const [table] = await sql(`SELECT 1 FROM information_schema.tables WHERE table_name = 'matching_audit_outbox'`);
  if (!table) return;
  const deadline = Date.now() + boundMs;
  for (;;) {
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM matching_audit_outbox`);
    if (!n) return;
    if (Date.now() > deadline) throw new Error(`${n} audit event(s) still in the outbox after ${boundMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
