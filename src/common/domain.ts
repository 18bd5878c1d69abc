/** What a request or booking is about (API.md `GET /matters`); `other` is "something else", which no specialty covers. */
export const MATTERS = ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'other'] as const;
export type Matter = (typeof MATTERS)[number];

/** What an interpreter is trained for: the matters (but `other`) plus children, asylum and health. */
export const SPECIALTIES = [
  'legal_civil',
  'legal_labour',
  'legal_criminal',
  'violence',
  'trafficking',
  'children',
  'asylum',
  'health',
] as const;
export type Specialty = (typeof SPECIALTIES)[number];

export const URGENCIES = ['normal', 'urgent', 'emergency'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const GENDERS = ['female', 'male', 'other'] as const;
export type Gender = (typeof GENDERS)[number];

export const INTERPRETER_STATUSES = ['active', 'suspended'] as const;
export type InterpreterStatus = (typeof INTERPRETER_STATUSES)[number];

export const ROLES = ['caller', 'interpreter', 'official', 'roster_admin', 'platform_admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES = ['interpreter', 'official', 'roster_admin', 'platform_admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** An interpreter's presence (what she sets with `presence:set`). */
/** `on_call`: reachable by push only (her phone), offered after those available at their console. */
export const PRESENCE_STATUSES = ['available', 'on_call', 'away', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

/**
 * The interpreters' roles in a call (at most one of each): the lead (`interpreter`: the direct leg, or the source leg
 * of a relay), the relay leg's (`relay_interpreter`) and a team partner who takes turns with the lead.
 */
export const INTERPRETER_ROLES = ['interpreter', 'relay_interpreter', 'team_interpreter'] as const;
export type InterpreterRole = (typeof INTERPRETER_ROLES)[number];

/** The roles in a session's call: up to five participants, one per role. */
export type ParticipantRole = 'caller' | InterpreterRole | 'official';
export const isInterpreterRole = (role: string): role is InterpreterRole => (INTERPRETER_ROLES as readonly string[]).includes(role);
