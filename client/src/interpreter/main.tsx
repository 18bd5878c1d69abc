import { render } from 'preact';
import '../ui/styles.css';
import '../ui/console.css';
import { InterpreterApp } from './interpreter-app';

render(<InterpreterApp />, document.getElementById('app')!);
