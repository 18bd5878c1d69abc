import { render } from 'preact';
import '../ui/styles.css';
import '../ui/console.css';
import { AdminApp } from './admin-app';

render(<AdminApp />, document.getElementById('app')!);
