import { render } from 'preact';
import '../ui/styles.css';
import { CallerApp } from './caller-app';

render(<CallerApp />, document.getElementById('app')!);

// The offline shell (installable PWA). Quick exit unregisters it and deletes its cache.
if ('serviceWorker' in navigator) {
  addEventListener('load', () => void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined));
}
