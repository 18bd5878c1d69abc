import '../ui/styles.css';
import { pickUiLanguage, UI_LANGUAGES, type UiLanguage } from '../i18n';
import { quickExit } from '../lib/quick-exit';
import { played } from '../lib/sounds';
import { exposeCall } from '../lib/test-hooks';

// The offline shell: no framework, a few lines, everything precached by the service worker.
let lang: UiLanguage = pickUiLanguage();
try {
  const saved = localStorage.getItem('puente.ui');
  if (saved && saved in UI_LANGUAGES) lang = saved as UiLanguage;
} catch {
  /* storage disabled */
}
const t = UI_LANGUAGES[lang];
document.documentElement.lang = lang;
const set = (id: string, text: string) => (document.getElementById(id)!.textContent = text);
set('title', t.offlineTitle);
set('text', t.offlineText);
set('retry-label', t.retry);
set('exit-label', t.quickExit);
document.getElementById('exit')!.setAttribute('aria-label', t.quickExit);
document.getElementById('listen')!.setAttribute('aria-label', t.listen);

/** The cue is fetched whole (from the worker's cache) and played from memory: no range request to miss. */
async function speak() {
  played.push('cue:offline');
  try {
    const blob = await (await fetch(`/cues/${lang}/offline.ogg`)).blob();
    const audio = new Audio(URL.createObjectURL(blob));
    await audio.play();
  } catch {
    /* the browser wants a tap first: the ear button is there */
  }
}
document.getElementById('listen')!.addEventListener('click', () => void speak());
document.getElementById('retry')!.addEventListener('click', () => location.reload());
document.getElementById('exit')!.addEventListener('click', () => void quickExit(async () => undefined));
// The page comes back by itself when the network does (the 'online' event alone can come before the server
// is reachable again, so it is checked, then checked again every few seconds).
const back = () =>
  fetch('/health', { cache: 'no-store' }).then(
    (r) => r.ok && location.reload(),
    () => undefined,
  );
addEventListener('online', () => void back());
setInterval(() => void back(), 4000);
if (__PUENTE_TEST_HOOKS__) exposeCall(() => undefined);
void speak();
