import { useState } from 'preact/hooks';
import type { Strings, UiLanguage } from '../i18n';
import { api, HttpError } from '../lib/api';
import { UiLanguageSwitch } from './ui-language';

/** A staff login lasts as long as the tab (never on disk across browser restarts). */
const TOKEN_KEY = 'puente.staff';

export interface StaffSession {
  token: string;
  role: string;
}

export function readStaffSession(): StaffSession | null {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    return raw ? (JSON.parse(raw) as StaffSession) : null;
  } catch {
    return null;
  }
}

export function forgetStaffSession() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled */
  }
}

/** What she is told when a login fails: a wait (429, growing with each failure from here), a disabled account (403), else wrong credentials. */
function loginProblem(t: Strings, e: unknown): string {
  if (!(e instanceof HttpError)) return t.loginFailed;
  if (e.status === 429) {
    const seconds = Number((e.body as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds);
    return t.loginLocked(Math.max(1, Math.ceil((Number.isFinite(seconds) ? seconds : 60) / 60)));
  }
  return e.status === 403 ? t.loginDisabled : t.loginFailed;
}

/** Email and password; `roles` are the ones this console serves (another role is told it cannot log in here). */
export function StaffLogin({
  t,
  roles,
  roleError,
  onLogin,
}: {
  t: Strings;
  roles: string[];
  roleError: string;
  onLogin: (s: StaffSession) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    let session: StaffSession;
    try {
      const res = await api.login(email, password);
      session = { token: res.accessToken, role: res.role };
    } catch (e) {
      return setError(loginProblem(t, e));
    }
    if (!roles.includes(session.role)) return setError(roleError);
    try {
      sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
    } catch {
      /* storage disabled: the login lasts until reload */
    }
    setPassword('');
    onLogin(session);
  };
  return (
    <form class="login" onSubmit={submit}>
      <label>
        {t.email}
        <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        {t.password}
        <input
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" class="primary">
        {t.login}
      </button>
    </form>
  );
}

/** A console's top bar: the interface language and, once logged in, logging out. */
export function ConsoleHeader({
  t,
  lang,
  choose,
  onLogout,
}: {
  t: Strings;
  lang: UiLanguage;
  choose: (l: UiLanguage) => void;
  onLogout: (() => void) | null;
}) {
  return (
    <header class="bar">
      <UiLanguageSwitch lang={lang} choose={choose} label={t.interfaceLanguage} />
      {onLogout && (
        <button type="button" class="link" onClick={onLogout}>
          {t.logout}
        </button>
      )}
    </header>
  );
}
