import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureClientBuilt, TEST_CLIENT_DIST } from './utils/client-build';

/** The names of client/src/lib/test-hooks.ts: none may reach a phone. */
const HOOK_NAMES = [
  '__puente',
  '__PUENTE_TEST_HOOKS__',
  'inboundAudioByRole',
  'inboundAudio',
  'outputVolumes',
  'iceRestarts',
  'testIceRestarts',
  'test-hooks',
];
const PRODUCTION_DIST = join(__dirname, '..', 'client', 'dist');

/** Every file of a build, as text, with its path (names count too: a chunk may be named after a module). */
function files(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return [{ path, text: `${path}\n${readFileSync(path, 'latin1')}` }];
  });
}

const found = (dir: string) =>
  files(dir).flatMap(({ path, text }) => HOOK_NAMES.filter((n) => text.includes(n)).map((n) => `${path.slice(dir.length + 1)}: ${n}`));

describe('test hooks', () => {
  beforeAll(() => ensureClientBuilt());

  it('are absent from the build phones get (client/dist): neither their code nor their names', () => {
    expect(found(PRODUCTION_DIST)).toEqual([]);
  });

  it("are in the browser tests' own build (client/dist-test), so the search above looks for what is really there", () => {
    const names = new Set(found(TEST_CLIENT_DIST).map((f) => f.split(': ')[1]));
    expect([...names].sort()).toEqual(expect.arrayContaining(['__puente', 'inboundAudioByRole', 'outputVolumes', 'iceRestarts']));
  });
});
