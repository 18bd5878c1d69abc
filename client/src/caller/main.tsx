import { render } from 'preact';
import '../ui/styles.css';
import { CallerApp } from './caller-app';

render(<CallerApp />, document.getElementById('app')!);
