import { KINDS, type RecordingKind } from '../../../src/language-recordings/recording-kinds';
import { request } from './api';
import { playFile, type Outcome } from './sounds';

/**
 * What staff recorded for each language and a roster admin published (src/language-recordings): its name spoken in
 * itself, and the notice of what the service is (a woman's, a girl's). Extras: when the server has none (or
 * cannot be reached) the page works without them. Nothing here is about her, so the browser may cache the lists.
 */
export const collectionPath = (kind: RecordingKind) => `/api/v1/languages/${KINDS[kind].collection}`;
export const recordingPath = (kind: RecordingKind, languageId: string) =>
  `/api/v1/languages/${encodeURIComponent(languageId)}/${KINDS[kind].item}`;

/**
 * The languages with a published recording of this kind (none when the server cannot say). `cache`: the names' list
 * may stay in the browser's cache (every caller's page asks for it); the notices' lists do not.
 */
export async function publishedRecordings(kind: RecordingKind, cache: RequestCache = 'default'): Promise<Set<string>> {
  try {
    return new Set((await request<{ languageId: string }[]>(collectionPath(kind), { cache })).map((n) => n.languageId));
  } catch {
    return new Set();
  }
}

export const playRecording = (kind: RecordingKind, languageId: string): Promise<Outcome> =>
  playFile(recordingPath(kind, languageId), `${kind}:${languageId}`);

/**
 * The notice she hears while she waits: a girl's when she said she is under 18 or does not know (a woman's if no
 * girl's is published yet), else a woman's; null when none is published (the page shows its pictures only).
 */
export async function noticeKind(languageId: string, minor: boolean): Promise<RecordingKind | null> {
  // Both lists, whatever she said, and neither kept: what the page fetched never tells that a girl called.
  const [woman, girl] = await Promise.all([publishedRecordings('notice', 'no-store'), publishedRecordings('child_notice', 'no-store')]);
  if (minor && girl.has(languageId)) return 'child_notice';
  return woman.has(languageId) ? 'notice' : null;
}
