/**
 * What staff record for each curated language, checked by a roster admin before callers hear it: its name spoken in
 * itself (a caller choosing by ear), and the notice of what the service is, for a woman and, in simple words,
 * for a girl (the waiting screen plays it). One table (`language_recordings`), one review process; the kinds differ
 * in length and in the paths they are reached by.
 */
export const RECORDING_KINDS = ['name', 'notice', 'child_notice'] as const;
export type RecordingKind = (typeof RECORDING_KINDS)[number];

/** The limits are the database's too: the CHECKs of migrations/1765830000000-language-notices.ts hold the same figures. */
export interface KindRules {
  /** The longest recording (the migration's CHECK allows half a second more, where the recorder's last block falls). */
  maxMs: number;
  /** About 32 kbit/s of Opus for maxMs, with room for a browser's own higher rate (the CHECK on `size`). */
  maxBytes: number;
  /** In messages: "a spoken name is at most 5 s". */
  what: string;
  consent: string;
  /** Audit event types: `${audit}.recorded`, `.published`, … */
  audit: string;
  /** Paths: `/languages/${collection}` (lists), `/languages/{id}/${item}` (one language's). */
  collection: string;
  item: string;
}

export const KINDS: Record<RecordingKind, KindRules> = {
  name: {
    maxMs: 5_000,
    maxBytes: 128 * 1024,
    what: 'a spoken name',
    consent: 'consent must be true: callers will hear your voice saying this name',
    audit: 'spoken_name',
    collection: 'spoken-names',
    item: 'spoken-name',
  },
  notice: {
    maxMs: 40_000,
    maxBytes: 1024 * 1024,
    what: 'a notice',
    consent: 'consent must be true: callers will hear your voice reading this notice',
    audit: 'notice',
    collection: 'notices',
    item: 'notice',
  },
  child_notice: {
    maxMs: 40_000,
    maxBytes: 1024 * 1024,
    what: "a child's notice",
    consent: 'consent must be true: girls who call will hear your voice reading this notice',
    audit: 'child_notice',
    collection: 'child-notices',
    item: 'child-notice',
  },
};

/** "spoken name", "notice", "child's notice": the thing itself, in messages and the API's descriptions. */
export const nounOf = (kind: RecordingKind) => KINDS[kind].what.replace(/^an? /, '');

/** The longest recording of a kind, in whole seconds, as the server enforces it (the consoles' scripts say it). */
export const maxSeconds = (kind: RecordingKind) => KINDS[kind].maxMs / 1000;
