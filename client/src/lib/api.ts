/** A catalogue row (API.md `GET /api/v1/languages`). */
export interface Language {
  id: string;
  iso6393: string;
  variant: string | null;
  name: string;
  autonym: string | null;
  countries: string[];
  isRelay: boolean;
}

export interface Country {
  code: string;
  name: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

/** The server's validation answer (400: `message` lines and the `fields` they name), else a single line. */
export function serverMessages(e: unknown): { fields: string[]; messages: string[] } {
  const body = e instanceof HttpError ? (e.body as { message?: string | string[]; fields?: string[] } | undefined) : undefined;
  return { fields: body?.fields ?? [], messages: [body?.message ?? []].flat() };
}

/** A JSON request; `token` adds the bearer header; a body that is FormData is sent as multipart. */
export async function request<T>(path: string, init: RequestInit & { token?: string | null } = {}): Promise<T> {
  const { token, ...rest } = init;
  const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) };
  if (!(rest.body instanceof FormData) && rest.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  // Nothing a caller's page asks for is kept in the browser's HTTP cache either.
  const res = await fetch(path, { cache: 'no-store', ...rest, credentials: 'omit', headers });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new HttpError(res.status, body);
  return body as T;
}

export const api = {
  /**
   * The languages a caller can ask for (relay languages are what interpreters speak to officials). The one answer
   * kept in the HTTP cache: the public catalogue, revalidated every time (304 while its ETag is unchanged).
   */
  languages: async () => (await api.catalogue()).filter((l) => !l.isRelay),
  /** The whole curated catalogue, relay languages included: the staff consoles name targets with it. */
  catalogue: () => request<Language[]>('/api/v1/languages?limit=200', { cache: 'no-cache' }),
  countries: () => request<Country[]>('/api/v1/countries'),
  /** Languages that have a recorded interpreter greeting. */
  greetings: () => request<{ languageId: string }[]>('/api/v1/greetings'),
  greetingUrl: (languageId: string) => `/api/v1/languages/${languageId}/greeting`,
  callerToken: async () => (await request<{ accessToken: string }>('/api/v1/auth/caller', { method: 'POST', body: '{}' })).accessToken,
  login: (email: string, password: string) =>
    request<{ accessToken: string; role: string }>('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) }),
  /** The server's VAPID public key; refused (404) when offers by push are not set up there. */
  pushPublicKey: async () => (await request<{ publicKey: string }>('/api/v1/push/public-key')).publicKey,
  addPushSubscription: (token: string, subscription: PushSubscriptionJSON) =>
    request<{ id: string }>('/api/v1/interpreters/me/push-subscriptions', {
      method: 'POST',
      token,
      body: JSON.stringify({ endpoint: subscription.endpoint, keys: subscription.keys }),
    }),
  removePushSubscription: (token: string, id: string) =>
    request<Record<string, never>>(`/api/v1/interpreters/me/push-subscriptions/${encodeURIComponent(id)}`, { method: 'DELETE', token }),
};
