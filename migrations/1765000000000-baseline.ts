import { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies of the domain lists as they were when this migration was written: a migration must not change
// meaning when src/common changes later (a new country, matter or specialty gets its own migration).
const COUNTRIES = `'BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'`;
const MATTERS = `'legal_civil','legal_labour','legal_criminal','violence','trafficking','other'`;
const SPECIALTIES = `'legal_civil','legal_labour','legal_criminal','violence','trafficking','children','asylum','health'`;

/**
 * The whole schema, as the first 25 migrations (1763800000000 to 1764740000000, squashed before any deployment)
 * left it: `scripts/compare-migrated-schemas.sh` showed `pg_dump --schema-only` identical after both. Columns
 * stand in the order the database keeps them (columns added later come last). The functions of matching are not
 * here: they live in src/matching/sql/ and every migrate applies them after the migrations
 * (src/database/sql-sources.ts). Later changes are new migrations after this one.
 */
export class Baseline1765000000000 implements MigrationInterface {
  name = 'Baseline1765000000000';

  async up(q: QueryRunner): Promise<void> {
    if (await squashedAlready(q)) return;
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    // Hearings: an interpreter's blocked times never overlap (bookings' EXCLUDE constraint).
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await languages(q);
    await rosters(q);
    await accounts(q);
    await audit(q);
    await matching(q);
    await bookings(q);
    await recordings(q);
    await timeOrder(q);
    await q.query(`
      CREATE TABLE country_retention (
        country char(2) PRIMARY KEY CHECK (country IN (${COUNTRIES})),
        days integer NOT NULL CHECK (days BETWEEN 1 AND 3650),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The SQL source files' functions and type depend on these tables: they go first.
    await q.query(`DROP FUNCTION IF EXISTS matching_finish(uuid, text, text[], double precision)`);
    await q.query(`DROP FUNCTION IF EXISTS matching_accept(uuid, uuid)`);
    await q.query(`DROP FUNCTION IF EXISTS session_end(uuid, uuid, text, boolean)`);
    await q.query(`DROP FUNCTION IF EXISTS matching_dispatch(uuid, uuid[], double precision, char, double precision, int)`);
    await q.query(`DROP FUNCTION IF EXISTS matching_pairs(uuid[], uuid[], char, double precision, int)`);
    await q.query(`DROP FUNCTION IF EXISTS matching_request_facts(interpretation_requests)`);
    await q.query(`DROP FUNCTION IF EXISTS ladder_rank(int, boolean, varchar, boolean, varchar[], timestamptz, int)`);
    await q.query(`DROP FUNCTION IF EXISTS ladder_tier(boolean, boolean, boolean)`);
    await q.query(`DROP FUNCTION IF EXISTS ladder_languages(uuid)`);
    await q.query(`DROP FUNCTION IF EXISTS ladder_at_once(varchar)`);
    await q.query(`DROP TYPE IF EXISTS ladder_rank_t`);
    for (const table of [
      'country_retention',
      'language_spoken_names',
      'interpreter_greetings',
      'booking_join_codes',
      'booking_offers',
      'sessions',
      'bookings',
      'interpreter_availability',
      'matching_audit_outbox',
      'offers',
      'interpretation_requests',
      'audit_chain_head',
      'audit_events',
      'demo_secret',
      'users',
      'institutions',
      'roster_sharing',
      'interpreter_relay_languages',
      'interpreter_languages',
      'interpreters',
      'language_links',
      'languages',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    for (const fn of [
      'request_time_order',
      'session_time_order',
      'offer_time_order',
      'audit_chain_head_guard',
      'audit_events_extend_head',
      'audit_events_append_only',
    ]) {
      await q.query(`DROP FUNCTION ${fn}()`);
    }
  }
}

/**
 * A database made before the squash (a developer's demo database) already has this schema when it ran the last
 * squashed migration: nothing to create, the baseline is only recorded. One that stopped part-way cannot be
 * upgraded: it says so rather than fail on an existing table.
 */
async function squashedAlready(q: QueryRunner): Promise<boolean> {
  const [table] = await q.query(`SELECT to_regclass('languages') IS NOT NULL AS present`);
  if (!table.present) return false;
  const [last] = await q.query(`SELECT 1 FROM migrations WHERE name = 'JoinCodeBudget1764740000000'`);
  if (last) return true;
  throw new Error('this database was migrated part-way by migrations older than the baseline (1765000000000): drop it and migrate again');
}

async function languages(q: QueryRunner) {
  await q.query(`
    CREATE TABLE languages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      iso6393 char(3) NOT NULL CHECK (iso6393 ~ '^[a-z]{3}$'),
      variant varchar(60) CHECK (variant ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name varchar(120) NOT NULL CHECK (length(btrim(name)) > 0),
      autonym varchar(120),
      countries varchar(2)[] NOT NULL DEFAULT '{}' CHECK (countries <@ ARRAY[${COUNTRIES}]::varchar(2)[]),
      is_relay boolean NOT NULL DEFAULT false,
      search_text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- Browsing without a query lists the curated rows only (the catalogue's, and any an administrator added).
      curated boolean NOT NULL DEFAULT false
    )`);
  // One row per code and variant; the language as a whole (variant null) counts as the empty variant.
  await q.query(`CREATE UNIQUE INDEX languages_code_variant ON languages (iso6393, (coalesce(variant, '')))`);
  await q.query(`CREATE INDEX languages_countries ON languages USING gin (countries)`);
  await q.query(`CREATE INDEX languages_curated_name ON languages (name) WHERE curated`);

  // Substring search over search_text wants a trigram index. pg_trgm is a trusted extension on PostgreSQL 13+,
  // but a managed server may still lack it: then fall back to a btree (prefix searches only) rather than fail.
  await q.query(`
    DO $$
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'pg_trgm unavailable (%): languages.search_text gets a btree index', SQLERRM;
    END $$`);
  const [trgm] = await q.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`);
  await q.query(
    trgm
      ? `CREATE INDEX languages_search_text ON languages USING gin (search_text gin_trgm_ops)`
      : `CREATE INDEX languages_search_text ON languages (search_text text_pattern_ops)`,
  );

  // Mutual intelligibility recorded by an administrator. created_by is her user id, kept (like audit actor ids)
  // even if her account goes.
  await q.query(`
    CREATE TABLE language_links (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      from_language_id uuid NOT NULL REFERENCES languages (id) ON DELETE CASCADE,
      to_language_id uuid NOT NULL REFERENCES languages (id) ON DELETE CASCADE,
      source varchar(200) NOT NULL CHECK (length(btrim(source)) > 0),
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (from_language_id <> to_language_id)
    )`);
  // Intelligibility holds both ways, so (a, b) and (b, a) are the same link.
  await q.query(`
    CREATE UNIQUE INDEX language_links_pair
    ON language_links (least(from_language_id, to_language_id), greatest(from_language_id, to_language_id))`);
  await q.query(`CREATE INDEX language_links_from ON language_links (from_language_id)`);
  await q.query(`CREATE INDEX language_links_to ON language_links (to_language_id)`);
}

async function rosters(q: QueryRunner) {
  await q.query(`
    CREATE TABLE interpreters (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      country char(2) NOT NULL CHECK (country IN (${COUNTRIES})),
      external_id varchar(64) NOT NULL CHECK (external_id ~ '^[A-Za-z0-9._-]{1,64}$'),
      first_name varchar(60) NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 60),
      email varchar(254) NOT NULL CHECK (email = lower(email)),
      gender varchar(10) CHECK (gender IN ('female', 'male', 'other')),
      status varchar(10) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
      specialties varchar(20)[] NOT NULL DEFAULT '{}' CHECK (specialties <@ ARRAY[${SPECIALTIES}]::varchar[]),
      certification_body varchar(120),
      certification_number varchar(60),
      certification_expires date,
      last_session_ended_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT interpreters_country_external_id UNIQUE (country, external_id),
      -- What an interpreter's login (users) points at: an interpreter of her own country's roster.
      CONSTRAINT interpreters_id_country UNIQUE (id, country)
    )`);
  // Matching filters a roster by its active interpreters first.
  await q.query(`CREATE INDEX interpreters_country_status ON interpreters (country, status)`);

  await q.query(`
    CREATE TABLE interpreter_languages (
      interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
      language_id uuid NOT NULL REFERENCES languages(id) ON DELETE RESTRICT,
      level smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
      PRIMARY KEY (interpreter_id, language_id)
    )`);
  // Matching starts from a language variant and looks for who covers it.
  await q.query(`CREATE INDEX interpreter_languages_language ON interpreter_languages (language_id)`);

  await q.query(`
    CREATE TABLE interpreter_relay_languages (
      interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
      language_id uuid NOT NULL REFERENCES languages(id) ON DELETE RESTRICT,
      PRIMARY KEY (interpreter_id, language_id)
    )`);
  await q.query(`CREATE INDEX interpreter_relay_languages_language ON interpreter_relay_languages (language_id)`);

  await q.query(`
    CREATE TABLE roster_sharing (
      owner_country char(2) NOT NULL CHECK (owner_country IN (${COUNTRIES})),
      borrower_country char(2) NOT NULL CHECK (borrower_country IN (${COUNTRIES})),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (owner_country, borrower_country),
      CHECK (owner_country <> borrower_country)
    )`);
  // "Which rosters may serve a caller in country B" reads by borrower.
  await q.query(`CREATE INDEX roster_sharing_borrower ON roster_sharing (borrower_country)`);

  // Weekly windows in the interpreter's own time zone (so a daylight-saving change moves them with her).
  await q.query(`
    CREATE TABLE interpreter_availability (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
      weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
      starts_at time NOT NULL,
      ends_at time NOT NULL,
      time_zone varchar(64) NOT NULL,
      CHECK (ends_at > starts_at)
    )`);
  await q.query(`CREATE INDEX interpreter_availability_interpreter ON interpreter_availability (interpreter_id)`);
}

async function accounts(q: QueryRunner) {
  await q.query(`
    CREATE TABLE institutions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      country char(2) NOT NULL,
      name varchar(120) NOT NULL CHECK (length(btrim(name)) > 0),
      kind varchar(20) NOT NULL CHECK (kind IN ('court', 'prosecutor', 'consulate', 'shelter', 'migration', 'police', 'health', 'other')),
      language_id uuid REFERENCES languages (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT institutions_country_name UNIQUE (country, name)
    )`);

  await q.query(`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email varchar(254) NOT NULL UNIQUE CHECK (email = lower(email)),
      password_hash varchar(255) NOT NULL,
      role varchar(20) NOT NULL CHECK (role IN ('interpreter', 'official', 'roster_admin', 'platform_admin')),
      country char(2),
      interpreter_id uuid,
      tokens_valid_after timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      institution_id uuid CONSTRAINT users_institution_fk REFERENCES institutions (id),
      disabled boolean NOT NULL DEFAULT false,
      removed_at timestamptz,
      CHECK (role <> 'roster_admin' OR country IS NOT NULL),
      CONSTRAINT users_interpreter_id_iff_interpreter CHECK ((role = 'interpreter') = (interpreter_id IS NOT NULL)),
      CONSTRAINT users_interpreter_has_country CHECK (role <> 'interpreter' OR country IS NOT NULL),
      CONSTRAINT users_interpreter_fk FOREIGN KEY (interpreter_id, country) REFERENCES interpreters (id, country),
      CONSTRAINT users_removed_is_disabled CHECK (removed_at IS NULL OR disabled),
      CONSTRAINT users_institution_iff_official CHECK ((role = 'official') = (institution_id IS NOT NULL))
    )`);
  // One login per interpreter (a removed account keeps its row for the audit trail).
  await q.query(
    `CREATE UNIQUE INDEX users_interpreter_id_unique ON users (interpreter_id) WHERE interpreter_id IS NOT NULL AND removed_at IS NULL`,
  );

  // `npm run demo`'s signing key: one row at most (the key can only be true).
  await q.query(`
    CREATE TABLE demo_secret (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      jwt_secret varchar(64) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
}

async function audit(q: QueryRunner) {
  await q.query(`
    CREATE TABLE audit_events (
      seq bigint PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      occurred_at timestamptz NOT NULL,
      type varchar(60) NOT NULL,
      actor_id uuid,
      actor_role varchar(20),
      country char(2),
      subject_id uuid,
      data jsonb NOT NULL DEFAULT '{}',
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL
    )`);
  await q.query(`CREATE INDEX audit_events_type_time ON audit_events (type, occurred_at)`);
  // Append-only in the database too: rows cannot be changed or truncated, and only the retention purge (which sets
  // puente.audit_purge inside its own transaction) may delete them.
  await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('puente.audit_purge', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only';
      END $$`);
  await q.query(
    `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
  );
  await q.query(
    `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
  );

  // The chain's head: one row, the genesis hash until the first event.
  await q.query(`
    CREATE TABLE audit_chain_head (
      only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      seq bigint NOT NULL CHECK (seq >= 0),
      hash char(64) NOT NULL
    )`);
  await q.query(`INSERT INTO audit_chain_head (seq, hash) VALUES (0, repeat('0', 64))`);
  await q.query(`
      CREATE FUNCTION audit_events_extend_head() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head audit_chain_head;
      BEGIN
        SELECT * INTO head FROM audit_chain_head FOR UPDATE;
        IF NEW.seq <> head.seq + 1 OR NEW.prev_hash <> head.hash THEN
          RAISE EXCEPTION 'audit event % does not extend the chain head (seq %)', NEW.seq, head.seq;
        END IF;
        UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash;
        RETURN NEW;
      END $$`);
  await q.query(
    `CREATE TRIGGER audit_events_extend_head BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_extend_head()`,
  );
  // The head moves only from the trigger above (trigger depth 2); nothing adds, removes or empties it.
  await q.query(`
      CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_chain_head moves only when an audit event is appended';
      END $$`);
  await q.query(
    `CREATE TRIGGER audit_chain_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard()`,
  );
  await q.query(
    `CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_guard()`,
  );
}

async function matching(q: QueryRunner) {
  await q.query(`
    CREATE TABLE interpretation_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      language_id uuid NOT NULL REFERENCES languages(id),
      matter varchar(20) NOT NULL CHECK (matter IN (${MATTERS})),
      urgency varchar(10) NOT NULL CHECK (urgency IN ('normal', 'urgent', 'emergency')),
      minor boolean NOT NULL,
      prefer_female boolean NOT NULL DEFAULT false,
      country char(2) CHECK (country IN (${COUNTRIES})),
      -- The caller's anonymous token subject, kept only while the request is live (to route updates and
      -- to let her cancel); cleared when the request ends.
      caller_sub uuid,
      state varchar(12) NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'offering', 'accepted', 'connected', 'completed', 'cancelled', 'unmatched', 'abandoned')),
      -- emergency 3, urgent 2, normal 1; minors first within an urgency; then oldest first.
      priority smallint NOT NULL,
      interpreter_id uuid REFERENCES interpreters(id),
      tier smallint,
      created_at timestamptz NOT NULL DEFAULT now(),
      first_offered_at timestamptz,
      accepted_at timestamptz,
      ended_at timestamptz,
      -- When she joined the line (again, after "another interpreter"): the order of the waiting queue.
      queued_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((state IN ('completed', 'cancelled', 'unmatched', 'abandoned')) = (ended_at IS NOT NULL)),
      CHECK (ended_at IS NULL OR caller_sub IS NULL)
    )`);
  await q.query(
    `CREATE INDEX requests_waiting ON interpretation_requests (priority DESC, minor DESC, queued_at) WHERE state IN ('queued', 'offering')`,
  );
  await q.query(`CREATE UNIQUE INDEX requests_one_live_per_caller ON interpretation_requests (caller_sub) WHERE caller_sub IS NOT NULL`);
  await q.query(`CREATE INDEX requests_created ON interpretation_requests (created_at)`);
  // The retention purge reads ended requests by age.
  await q.query(`CREATE INDEX requests_ended ON interpretation_requests (ended_at) WHERE ended_at IS NOT NULL`);

  // `holds`: the offer keeps its interpreter from any other (ringing, or accepted and its session live).
  await q.query(`
    CREATE TABLE offers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      request_id uuid NOT NULL REFERENCES interpretation_requests(id) ON DELETE CASCADE,
      interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
      tier smallint NOT NULL CHECK (tier BETWEEN 1 AND 4),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      outcome varchar(10) CHECK (outcome IN ('accepted', 'declined', 'expired', 'withdrawn')),
      decided_at timestamptz,
      superseded_at timestamptz,
      holds boolean NOT NULL DEFAULT true,
      CHECK ((outcome IS NULL) = (decided_at IS NULL)),
      CONSTRAINT offers_pending_holds CHECK (outcome IS NOT NULL OR holds),
      CONSTRAINT offers_holds_while_live CHECK (NOT holds OR outcome IS NULL OR outcome = 'accepted')
    )`);
  // An interpreter never holds two offers; a request is accepted at most once (until "another interpreter").
  await q.query(`CREATE UNIQUE INDEX offers_one_hold_per_interpreter ON offers (interpreter_id) WHERE holds`);
  await q.query(
    `CREATE UNIQUE INDEX offers_one_acceptance_per_request ON offers (request_id) WHERE outcome = 'accepted' AND superseded_at IS NULL`,
  );
  await q.query(`CREATE INDEX offers_request_interpreter ON offers (request_id, interpreter_id)`);
  await q.query(`CREATE INDEX offers_pending_expiry ON offers (expires_at) WHERE outcome IS NULL`);

  // Audit events of matching, written in the same transaction and moved to the chain by one node at a time.
  await q.query(`
    CREATE TABLE matching_audit_outbox (
      id bigserial PRIMARY KEY,
      type varchar(60) NOT NULL,
      actor_id uuid,
      actor_role varchar(20),
      country char(2),
      subject_id uuid,
      data jsonb NOT NULL DEFAULT '{}',
      at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
}

async function bookings(q: QueryRunner) {
  // The guarantee that matters most is a constraint here, so that it holds whatever the number of nodes and
  // however two officials race: an interpreter's blocked time (the hearing plus the buffer after it) never
  // overlaps another hearing she is assigned to or has confirmed.
  await q.query(`
    CREATE TABLE bookings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      official_id uuid NOT NULL REFERENCES users(id),
      country char(2) NOT NULL CHECK (country IN (${COUNTRIES})),
      language_id uuid NOT NULL REFERENCES languages(id),
      matter varchar(20) NOT NULL,
      minor boolean NOT NULL DEFAULT false,
      prefer_female boolean NOT NULL DEFAULT false,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 15 AND 600),
      time_zone varchar(64) NOT NULL,
      -- Opaque: the court's own file number or similar, never a name or a story (validated by the API).
      case_reference varchar(64),
      remote_participant boolean NOT NULL DEFAULT false,
      state varchar(12) NOT NULL DEFAULT 'requested'
        CHECK (state IN ('requested', 'assigned', 'confirmed', 'completed', 'cancelled')),
      end_reason varchar(20),
      interpreter_id uuid REFERENCES interpreters(id),
      blocked tstzrange,
      follow_up_of uuid REFERENCES bookings(id) ON DELETE SET NULL,
      preferred_interpreter_id uuid REFERENCES interpreters(id),
      widened boolean NOT NULL DEFAULT false,
      sequence integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      institution_id uuid NOT NULL CONSTRAINT bookings_institution_fk REFERENCES institutions (id),
      CHECK (ends_at > starts_at),
      CHECK (state NOT IN ('assigned', 'confirmed') OR (interpreter_id IS NOT NULL AND blocked IS NOT NULL)),
      CHECK ((state IN ('completed', 'cancelled')) = (end_reason IS NOT NULL)),
      EXCLUDE USING gist (interpreter_id WITH =, blocked WITH &&) WHERE (state IN ('assigned', 'confirmed'))
    )`);
  await q.query(`CREATE INDEX bookings_institution ON bookings (institution_id, starts_at)`);
  await q.query(`CREATE INDEX bookings_interpreter ON bookings (interpreter_id, starts_at)`);
  await q.query(`CREATE INDEX bookings_open ON bookings (starts_at) WHERE state IN ('requested', 'assigned', 'confirmed')`);
  await q.query(`CREATE INDEX bookings_ended ON bookings (ends_at) WHERE state IN ('completed', 'cancelled')`);

  // Each interpreter asked to confirm a booking, and what she answered.
  await q.query(`
    CREATE TABLE booking_offers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      booking_id uuid NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
      interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
      tier smallint NOT NULL CHECK (tier BETWEEN 0 AND 4),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      outcome varchar(10) CHECK (outcome IN ('confirmed', 'declined', 'expired', 'withdrawn')),
      decided_at timestamptz,
      CHECK ((outcome IS NULL) = (decided_at IS NULL))
    )`);
  await q.query(`CREATE UNIQUE INDEX booking_offers_one_pending ON booking_offers (booking_id) WHERE outcome IS NULL`);
  await q.query(`CREATE INDEX booking_offers_booking ON booking_offers (booking_id, interpreter_id)`);

  // The one-time code a remote woman uses to join the hearing: only its hash is kept, found by its locator, and
  // void after too many wrong tries (failures since failures_since).
  await q.query(`
    CREATE TABLE booking_join_codes (
      booking_id uuid PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
      code_hash char(64) NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      locator char(4) CHECK (locator ~ '^[0-9]{4}$'),
      failures smallint NOT NULL DEFAULT 0,
      failures_since timestamptz
    )`);
  await q.query(`CREATE UNIQUE INDEX booking_join_codes_locator ON booking_join_codes (locator) WHERE locator IS NOT NULL`);

  // A call: of a request (on demand) or of a booking (a hearing, which may be reopened: one live session each).
  // A hearing's caller (a remote woman) is the anonymous subject of the token her join code gave her, kept only
  // while the session is live.
  await q.query(`
    CREATE TABLE sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      request_id uuid REFERENCES interpretation_requests(id) ON DELETE CASCADE,
      interpreter_id uuid NOT NULL REFERENCES interpreters(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      ended_at timestamptz,
      end_reason varchar(30),
      official_id uuid REFERENCES users(id),
      participant_roles text[] NOT NULL DEFAULT '{}',
      booking_id uuid REFERENCES bookings(id) ON DELETE CASCADE,
      caller_sub uuid,
      CONSTRAINT sessions_participant_roles_known CHECK (participant_roles <@ ARRAY['caller','interpreter','official']::text[]),
      CONSTRAINT sessions_request_or_booking CHECK (request_id IS NULL OR booking_id IS NULL),
      CONSTRAINT sessions_caller_sub_live CHECK (ended_at IS NULL OR caller_sub IS NULL)
    )`);
  // An interpreter is in at most one live session, and so is a request or a booking.
  await q.query(`CREATE UNIQUE INDEX sessions_one_live_per_interpreter ON sessions (interpreter_id) WHERE ended_at IS NULL`);
  await q.query(`CREATE UNIQUE INDEX sessions_one_live_per_request ON sessions (request_id) WHERE ended_at IS NULL`);
  await q.query(`CREATE INDEX sessions_request ON sessions (request_id)`);
  await q.query(
    `CREATE UNIQUE INDEX sessions_one_live_per_booking ON sessions (booking_id) WHERE booking_id IS NOT NULL AND ended_at IS NULL`,
  );
  await q.query(`CREATE INDEX sessions_booking ON sessions (booking_id) WHERE booking_id IS NOT NULL`);
}

/** Recordings made with consent: an interpreter's greeting per variant, a language's name spoken in it. */
async function recordings(q: QueryRunner) {
  await q.query(`
    CREATE TABLE interpreter_greetings (
      interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
      language_id uuid NOT NULL REFERENCES languages(id) ON DELETE CASCADE,
      consented_at timestamptz NOT NULL,
      content_type varchar(40) NOT NULL CHECK (content_type IN ('audio/webm')),
      size integer NOT NULL CHECK (size > 0 AND size <= 262144),
      duration_ms integer NOT NULL CHECK (duration_ms > 0 AND duration_ms <= 10500),
      audio bytea NOT NULL CHECK (octet_length(audio) = size),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (interpreter_id, language_id)
    )`);
  await q.query(`CREATE INDEX interpreter_greetings_language ON interpreter_greetings (language_id, updated_at DESC)`);

  await q.query(`
    CREATE TABLE language_spoken_names (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      language_id uuid NOT NULL REFERENCES languages(id) ON DELETE CASCADE,
      state varchar(10) NOT NULL CHECK (state IN ('pending', 'published')),
      recorded_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      recorder_role varchar(20) NOT NULL CHECK (recorder_role IN ('interpreter', 'roster_admin')),
      consented_at timestamptz NOT NULL,
      content_type varchar(20) NOT NULL CHECK (content_type IN ('audio/webm', 'audio/ogg')),
      size integer NOT NULL CHECK (size > 0 AND size <= 131072),
      duration_ms integer NOT NULL CHECK (duration_ms > 0 AND duration_ms <= 5500),
      audio bytea NOT NULL CHECK (octet_length(audio) = size),
      published_by uuid REFERENCES users(id) ON DELETE SET NULL,
      published_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((state = 'published') = (published_at IS NOT NULL))
    )`);
  await q.query(`CREATE UNIQUE INDEX spoken_names_one_published ON language_spoken_names (language_id) WHERE state = 'published'`);
  await q.query(
    `CREATE UNIQUE INDEX spoken_names_one_pending_each ON language_spoken_names (language_id, recorded_by) WHERE state = 'pending'`,
  );
  await q.query(`CREATE INDEX spoken_names_recorded_by ON language_spoken_names (recorded_by)`);
}

/**
 * Every statement stamps now(), its transaction's start: a transaction that began before a row changed can still
 * change it afterwards. These triggers keep a record's times in order (test/time-order.e2e-spec.ts).
 */
async function timeOrder(q: QueryRunner) {
  // offers and booking_offers: the same two columns.
  await q.query(`
      CREATE FUNCTION offer_time_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.decided_at < NEW.created_at THEN NEW.decided_at := NEW.created_at; END IF;
        RETURN NEW;
      END $$`);
  await q.query(`CREATE TRIGGER offers_time_order BEFORE UPDATE OF decided_at ON offers FOR EACH ROW EXECUTE FUNCTION offer_time_order()`);
  await q.query(
    `CREATE TRIGGER booking_offers_time_order BEFORE UPDATE OF decided_at ON booking_offers FOR EACH ROW EXECUTE FUNCTION offer_time_order()`,
  );
  await q.query(`
      CREATE FUNCTION session_time_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.started_at < NEW.created_at THEN NEW.started_at := NEW.created_at; END IF;
        IF NEW.ended_at < coalesce(NEW.started_at, NEW.created_at) THEN NEW.ended_at := coalesce(NEW.started_at, NEW.created_at); END IF;
        RETURN NEW;
      END $$`);
  await q.query(
    `CREATE TRIGGER sessions_time_order BEFORE UPDATE OF started_at, ended_at ON sessions FOR EACH ROW EXECUTE FUNCTION session_time_order()`,
  );
  await q.query(`
      CREATE FUNCTION request_time_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.first_offered_at < NEW.created_at THEN NEW.first_offered_at := NEW.created_at; END IF;
        IF NEW.accepted_at < NEW.created_at THEN NEW.accepted_at := NEW.created_at; END IF;
        IF NEW.ended_at < coalesce(NEW.accepted_at, NEW.created_at) THEN NEW.ended_at := coalesce(NEW.accepted_at, NEW.created_at); END IF;
        RETURN NEW;
      END $$`);
  await q.query(
    `CREATE TRIGGER requests_time_order BEFORE UPDATE OF first_offered_at, accepted_at, ended_at ON interpretation_requests FOR EACH ROW EXECUTE FUNCTION request_time_order()`,
  );
}
