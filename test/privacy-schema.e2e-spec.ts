import { adminQuery, createTestDatabase } from './utils/db';

/**
 * Confidentiality by construction: nothing said in a call, and no story, can be stored, because no column
 * could hold it. Every column able to hold text or bytes (after every migration) must be in this list,
 * with the most it may hold and why it is not session content. A new one fails this test until someone
 * decides, here, in review, that it is harmless.
 */
const ALLOWED: Record<string, { max: number | null; why: string }> = {
  // Staff accounts
  'users.email': { max: 254, why: 'staff login' },
  'users.password_hash': { max: 255, why: 'argon2 hash' },
  'users.role': { max: 20, why: 'label' },
  'users.country': { max: 2, why: 'country code' },
  'institutions.name': { max: 120, why: 'the name of a court, prosecutor, consulate, shelter or office (staff-entered, public)' },
  'institutions.kind': { max: 20, why: 'a label from a fixed list (court, shelter...)' },
  'institutions.country': { max: 2, why: 'an ISO country code' },
  // Catalogue
  'languages.iso6393': { max: 3, why: 'code' },
  'languages.variant': { max: 60, why: 'variant slug' },
  'languages.name': { max: 120, why: 'language name' },
  'languages.autonym': { max: 120, why: 'language name in itself' },
  'languages.countries': { max: null, why: 'array of country codes' },
  'languages.search_text': { max: null, why: 'derived from code, name and autonym for search' },
  'language_links.source': { max: 200, why: 'the documented source of an intelligibility link' },
  // Rosters (official data about interpreters, never about callers)
  'interpreters.external_id': { max: 64, why: "the roster's own id" },
  'interpreters.first_name': { max: 60, why: "interpreter's first name" },
  'interpreters.email': { max: 254, why: "interpreter's contact" },
  'interpreters.country': { max: 2, why: 'country code' },
  'interpreters.certification_body': { max: 120, why: 'certifying body' },
  'interpreters.certification_number': { max: 60, why: 'certificate number' },
  'interpreters.gender': { max: 10, why: 'label' },
  'interpreters.status': { max: 10, why: 'label' },
  'interpreters.specialties': { max: null, why: 'array of specialty labels (checked)' },
  'certification_rules.country': { max: 2, why: 'country code' },
  'certification_rules.matters': { max: null, why: 'array of matter labels from a fixed list' },
  'roster_sharing.owner_country': { max: 2, why: 'country code' },
  'roster_sharing.borrower_country': { max: 2, why: 'country code' },
  // On-demand requests, offers and sessions: labels only
  'interpretation_requests.matter': { max: 20, why: 'label' },
  'interpretation_requests.urgency': { max: 10, why: 'label' },
  'interpretation_requests.state': { max: 12, why: 'label' },
  'interpretation_requests.country': { max: 2, why: 'country code' },
  'offers.outcome': { max: 10, why: 'label' },
  'sessions.end_reason': { max: 30, why: 'label' },
  'sessions.participant_roles': { max: null, why: 'array of role labels' },
  'session_interpreters.role': { max: 20, why: 'label' },
  'booking_interpreters.leg': { max: 6, why: 'label' },
  'offers.leg': { max: 6, why: 'label' },
  'booking_interpreters.state': { max: 10, why: 'label' },
  // Bookings
  'bookings.country': { max: 2, why: 'country code' },
  'bookings.matter': { max: 20, why: 'label' },
  'bookings.time_zone': { max: 64, why: 'IANA zone name' },
  'bookings.case_reference': { max: 64, why: 'opaque reference: the API admits 40 letters, digits and . / _ - with a digit, never a name' },
  'bookings.state': { max: 12, why: 'label' },
  'bookings.end_reason': { max: 20, why: 'label' },
  'booking_offers.outcome': { max: 10, why: 'label' },
  'join_codes.code_hash': { max: 64, why: 'keyed sha-256 of a one-time code' },
  'return_codes.code_hash': { max: 64, why: 'keyed sha-256 of her six-digit return code (never the digits)' },
  'join_codes.locator': { max: 4, why: "a join code's first four digits, which find its booking's failure budget (not secret)" },
  'interpreter_availability.time_zone': { max: 64, why: 'IANA zone name' },
  'country_retention.country': { max: 2, why: 'country code' },
  // Audit: metadata only (ids, codes, counts); its contents are checked by the privacy tests of each flow
  'audit_events.type': { max: 60, why: 'event type' },
  'audit_events.actor_role': { max: 20, why: 'label' },
  'audit_events.country': { max: 2, why: 'country code' },
  'audit_events.data': { max: null, why: 'metadata: ids, codes, counts (never free text)' },
  'audit_events.hash': { max: 64, why: 'sha-256' },
  'audit_events.prev_hash': { max: 64, why: 'sha-256' },
  'audit_chain_head.hash': { max: 64, why: 'sha-256' },
  // Matching's audit events on their way into the chain (the same fields as audit_events)
  'matching_audit_outbox.type': { max: 60, why: 'event type' },
  'matching_audit_outbox.actor_role': { max: 20, why: 'label' },
  'matching_audit_outbox.country': { max: 2, why: 'country code' },
  'matching_audit_outbox.data': { max: null, why: 'metadata: ids, codes, times (never free text)' },
  // Interpreters' recorded greetings: a profile asset she chose to record, never session content
  'interpreter_greetings.audio': { max: null, why: "the interpreter's own greeting, up to 10 s, recorded with her consent" },
  'interpreter_greetings.content_type': { max: 60, why: 'media type' },
  // Spoken names and notices of languages: a staff member's voice saying a language's name (up to 5 s) or what the
  // service is (up to 40 s), recorded with her consent, never session content
  'language_recordings.audio': { max: null, why: "a staff member's recording of a language's name or notice, made with her consent" },
  'language_recordings.kind': { max: 12, why: 'label' },
  'language_recordings.content_type': { max: 20, why: 'media type' },
  'language_recordings.state': { max: 10, why: 'label' },
  'language_recordings.recorder_role': { max: 20, why: 'label' },
  // `npm run demo` only (empty in any other deployment): the signing key it generated for its own database
  'demo_secret.jwt_secret': { max: 64, why: "the demo's random JWT signing key, never session content" },
  'demo_secret.vapid_public_key': { max: 100, why: "the demo's VAPID public key (Web Push), base64url" },
  'demo_secret.vapid_private_key': { max: 64, why: "the demo's VAPID private key (Web Push), base64url" },
  'push_subscriptions.endpoint': { max: 1024, why: "a push service's address for an interpreter's device, on an allowed origin" },
  'push_subscriptions.p256dh': { max: 100, why: "an interpreter's device public key (base64url) that encrypts pushes to it" },
  'push_subscriptions.auth': { max: 40, why: "an interpreter's device push secret (base64url, 16 bytes)" },
  'debrief_requests.country': { max: 2, why: "the country code of the interpreter's roster" },
  'services.country': { max: 2, why: 'country code of a roster' },
  'services.name': {
    max: 120,
    why: 'the public name of a service (a shelter, legal aid), staff-entered, never linked to a woman or a call',
  },
  'services.kind': { max: 20, why: 'a label from a fixed list' },
  'services.area': { max: 120, why: "a service's area (a department, a city), staff-entered" },
  'services.phone': { max: 40, why: "a service's public phone number" },
  'services.hours': { max: 120, why: "a service's opening hours, staff-entered" },
  'sessions.feedback': { max: 12, why: "the woman's one answer after a call, from a fixed list (helped, unsure, not_helped)" },
  'sessions.referred_to': { max: 20, why: 'ticks from a fixed list (CHECK): where the interpreter referred her, never text' },
  'sessions.signs': { max: 20, why: 'ticks from a fixed list (CHECK): signs the interpreter noticed, never text' },
  'debrief_requests.matter': { max: 20, why: "a label from a fixed list: the matter of the interpreter's last call" },
  'roster_call_limits.country': { max: 2, why: 'country code' },
  // TypeORM's own bookkeeping
  'migrations.name': { max: null, why: 'migration class names' },
};

/** Names that say "content": never acceptable, whatever their type. */
const CONTENT_NAMES =
  /(transcript|message|note|comment|description|story|narrative|chat|recording|video|body|content(?!_type)|details?$|free_?text)/;

describe('database schema holds no session content', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let columns: { name: string; type: string; max: number | null }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    columns = (
      await adminQuery<{
        table_name: string;
        column_name: string;
        data_type: string;
        udt_name: string;
        character_maximum_length: number | null;
      }>(
        // An array's element length (varchar(20)[]) is not in information_schema: its type modifier says it, the
        // column's own or, for a column of a domain (migration 1765870000000), the domain's.
        `SELECT c.table_name, c.column_name, c.data_type, c.udt_name,
                coalesce(c.character_maximum_length,
                         CASE WHEN c.data_type = 'ARRAY' AND greatest(a.atttypmod, t.typtypmod) > 4 THEN greatest(a.atttypmod, t.typtypmod) - 4 END)
                  AS character_maximum_length
         FROM information_schema.columns c
         JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name
         JOIN pg_type t ON t.oid = a.atttypid
         WHERE c.table_schema = 'public' ORDER BY c.table_name, c.column_name`,
        [],
        db.name,
      )
    ).map((c) => ({
      name: `${c.table_name}.${c.column_name}`,
      type: c.data_type === 'ARRAY' ? `${c.udt_name}` : c.data_type,
      max: c.character_maximum_length,
    }));
  });
  afterAll(() => db?.drop());

  const holdsText = (type: string) => /char|text|json|bytea|^_(varchar|text|bpchar)$/.test(type);

  it('lists every column that can hold text or bytes, each within its allowed length', () => {
    const textual = columns.filter((c) => holdsText(c.type));
    expect(textual.length).toBeGreaterThan(20);
    const unexpected = textual.filter((c) => !(c.name in ALLOWED)).map((c) => `${c.name} (${c.type})`);
    expect(unexpected).toEqual([]);
    const tooLong = textual
      .filter((c) => ALLOWED[c.name].max !== null && (c.max === null || c.max > ALLOWED[c.name].max!))
      .map((c) => `${c.name} (${c.max ?? 'unbounded'})`);
    expect(tooLong).toEqual([]);
  });

  it('has no column named for content, of any type', () => {
    expect(columns.map((c) => c.name).filter((n) => CONTENT_NAMES.test(n.split('.')[1]) && !(n in ALLOWED))).toEqual([]);
  });

  // information_schema sees through one domain only: a column of a domain over another domain of text would be listed
  // as USER-DEFINED above, and pass unseen, whatever its length.
  it('sees every column as its base type: no domain is over another domain', async () => {
    const domains = await adminQuery<{ name: string; over_domain: boolean }>(
      `SELECT d.typname AS name, b.typtype = 'd' AS over_domain FROM pg_type d JOIN pg_type b ON b.oid = d.typbasetype
       WHERE d.typtype = 'd' AND d.typnamespace = 'public'::regnamespace`,
      [],
      db.name,
    );
    expect(domains.length).toBeGreaterThan(10);
    expect(domains.filter((d) => d.over_domain).map((d) => d.name)).toEqual([]);
  });

  it('catches a column that could hold a story (the check itself can fail)', () => {
    const story = { name: 'sessions.summary', type: 'text', max: null };
    expect(holdsText(story.type) && !(story.name in ALLOWED)).toBe(true);
    expect(CONTENT_NAMES.test('transcript')).toBe(true);
    expect(CONTENT_NAMES.test('content_type')).toBe(false);
  });
});
