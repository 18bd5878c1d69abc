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

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { ...init, credentials: 'omit', headers: { 'content-type': 'application/json', ...init?.headers } });
  if (!res.ok) throw new HttpError(res.status);
  return (await res.json()) as T;
}

export const api = {
  /** The languages a caller can ask for (relay languages are what interpreters speak to officials). */
  languages: async () => (await json<Language[]>('/api/v1/languages?limit=200')).filter((l) => !l.isRelay),
  callerToken: async () => (await json<{ accessToken: string }>('/api/v1/auth/caller', { method: 'POST', body: '{}' })).accessToken,
  login: (email: string, password: string) =>
    json<{ accessToken: string; role: string }>('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) }),
};
