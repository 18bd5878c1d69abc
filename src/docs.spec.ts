import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOCKET_EVENTS_DOC } from './realtime/socket-events.doc';

/**
 * docs/ describes the code as it is: where a document repeats what the code declares, it is checked here.
 * `UPDATE_DOCS=1 npx jest src/docs.spec.ts` rewrites the generated parts from the code.
 */
const DOCS = join(__dirname, '..', 'docs');
const GENERATED = '<!-- Generated from SOCKET_EVENTS_DOC (src/realtime/socket-events.doc.ts): do not edit below. -->';

describe('docs/', () => {
  it('events.md carries the socket events exactly as the OpenAPI description does', () => {
    const path = join(DOCS, 'events.md');
    const text = readFileSync(path, 'utf8');
    const at = text.indexOf(GENERATED);
    expect(at).toBeGreaterThan(0);
    const expected = `${text.slice(0, at)}${GENERATED}\n${SOCKET_EVENTS_DOC.trim()}\n`;
    if (process.env.UPDATE_DOCS && text !== expected) writeFileSync(path, expected);
    else expect(text).toBe(expected);
  });

  it('the README links every document of docs/', () => {
    const readme = readFileSync(join(DOCS, '..', 'README.md'), 'utf8');
    for (const doc of ['architecture.md', 'matching.md', 'media.md', 'events.md', 'privacy.md']) expect(readme).toContain(`docs/${doc}`);
  });
});
