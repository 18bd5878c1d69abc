import { STAFF_STRINGS } from '../../client/src/i18n/staff';
import { maxSeconds, RECORDING_KINDS } from './recording-kinds';

describe('recording kinds', () => {
  // The consoles tell the recorder the longest recording the server accepts: the same figure, in every language.
  it.each(Object.keys(STAFF_STRINGS) as (keyof typeof STAFF_STRINGS)[])("the %s consoles' scripts name each kind's limit", (lang) => {
    for (const kind of RECORDING_KINDS) {
      expect(STAFF_STRINGS[lang].recordings[kind].explain).toMatch(new RegExp(`\\b${maxSeconds(kind)} (seconds|segundos|secondes)\\b`));
    }
  });
});
