import { render } from 'preact';
import '../ui/styles.css';
import { CallerApp } from './caller-app';
import { takeJoinCode } from './join-code';

// Before anything else: a hearing's join code leaves the address bar and the history entry.
const joinCode = takeJoinCode();

render(<CallerApp joinCode={joinCode} />, document.getElementById('app')!);

// The offline shell (installable PWA). Quick exit unregisters it and deletes its cache. A woman who opened a
// hearing's link gets nothing installed on her phone.
if ('serviceWorker' in navigator && joinCode === null) {
  addEventListener('load', () => void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined));
}
