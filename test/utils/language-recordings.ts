import type { TestApp } from './test-app';

/** A recording's metadata as stored (never its sound): what the browser tests of recording and review check. */
export interface RecordingRow {
  id: string;
  kind: string;
  language_id: string;
  state: string;
  recorder_role: string;
  content_type: string;
  duration_ms: number;
  size: number;
}

/** Every recording of languages, oldest first. */
export const recordingRows = (t: TestApp) =>
  t.sql<RecordingRow>(
    `SELECT id, kind, language_id, state, recorder_role, content_type, duration_ms, size FROM language_recordings ORDER BY created_at`,
  );
