import { useState } from 'preact/hooks';
import type { Strings, UiLanguage } from '../i18n';
import { api, HttpError } from '../lib/api';
import { expired } from '../lib/staff-token';
import { UiLanguageSwitch } from './ui-language';

/** A staff login lasts as long as the tab (never on disk across browser restarts)... */
const TOKEN_KEY = 'puente.staff';
/**
 * ...except an interpreter's on a device that receives her offers by push (`keepStaffSessionOnDevice`): tapping an
 * offer's notification opens a console that was closed, and she has seconds to answer, not a login's minute. Kept
 * until the token expires (JWT_TTL_SECONDS) or she logs out or turns push off.
 */
const KEPT_KEY = 'puente.staff.kept';

export interface StaffSession {
  token: string;
  role: string;
}

const parse = (raw: string | null) => (raw ? (JSON.parse(raw) as StaffSession) : null);

/** This tab's staff login (every console). */
export function readStaffSession(): StaffSession | null {
  try {
    return parse(sessionStorage.getItem(TOKEN_KEY));
  } catch {
    return null;
  }
}

/** The interpreter console's: this tab's, else the one kept on this device for her (see KEPT_KEY), if still valid. */
export function readInterpreterSession(): StaffSession | null {
  const tab = readStaffSession();
  if (tab) return tab;
  try {
    const kept = parse(localStorage.getItem(KEPT_KEY));
    if (!kept || kept.role !== 'interpreter' || expired(kept.token)) {
      localStorage.removeItem(KEPT_KEY);
      return null;
    }
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify(kept));
    return kept;
  } catch {
    return null;
  }
}

/** An interpreter's session stays on this device (it receives her offers by push): see KEPT_KEY. */
export function keepStaffSessionOnDevice(session: StaffSession | null) {
  try {
    if (session?.role === 'interpreter') localStorage.setItem(KEPT_KEY, JSON.stringify(session));
  } catch {
    /* storage disabled */
  }
}

/** Push is off on this device: her session lasts as long as the tab again. */
export function stopKeepingStaffSession() {
  try {
    localStorage.removeItem(KEPT_KEY);
  } catch {
    /* storage disabled */
  }
}

/** This tab's login goes (the interpreter console also stops keeping hers: stopKeepingStaffSession). */
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
