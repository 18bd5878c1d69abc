import { render } from 'preact';
import '../ui/styles.css';
import '../ui/console.css';
import { OfficialApp } from './official-app';

render(<OfficialApp />, document.getElementById('app')!);
