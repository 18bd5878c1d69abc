import { request } from './api';
import { playRecording, publishedRecordings } from './language-recordings';
import type { Outcome } from './sounds';

/**
 * Her language by ear: the name of each language as its speakers say it (recorded by an interpreter, published by
 * a roster administrator), and the order in which a place's languages are asked for. Both are extras: when the
 * server has none (or does not offer them yet: 404) the page works as before, with no names and the catalogue's order.
 * Nothing here is about her, so the browser may cache it (the server says for how long).
 */
export const spokenNames = {
  /** The languages whose spoken name is published. */
  published: () => publishedRecordings('name'),
  /** The languages of a country, most requested there first; null when the server cannot say. */
  order: async (country: string): Promise<string[] | null> => {
    try {
      return (
        await request<{ languageIds: string[] }>(`/api/v1/languages/order?country=${encodeURIComponent(country)}`, { cache: 'default' })
      ).languageIds;
    } catch {
      return null;
    }
  },
  play: (languageId: string): Promise<Outcome> => playRecording('name', languageId),
};

/** `list` with the ids of `order` first, in that order; the rest keep their own order after them. */
export function inOrder<T extends { id: string }>(list: T[], order: string[] | null | undefined): T[] {
  if (!order?.length) return list;
  const rank = new Map(order.map((id, i) => [id, i]));
  const at = (l: T) => rank.get(l.id) ?? order.length;
  return list
    .map((l, i) => [l, i] as const)
    .sort(([a, i], [b, j]) => at(a) - at(b) || i - j)
    .map(([l]) => l);
}
