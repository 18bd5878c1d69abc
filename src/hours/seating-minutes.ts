/**
 * The minutes one seating (`si`, of session `s`) worked: from its own start (seated mid-call: seated_at; else the
 * call's start) to its end. The hours export and the statistics (hearings' interpreter minutes) count alike.
 */
export const SEATING_MINUTES = `greatest(extract(epoch FROM coalesce(si.ended_at, s.ended_at, now()) - greatest(s.started_at, si.seated_at)) / 60, 0)`;
/** A seating that ended before the call started (or she was seated in) worked nothing: not a call of hers. */
export const SEATING_WORKED = `coalesce(si.ended_at, s.ended_at, now()) > greatest(s.started_at, si.seated_at)`;
