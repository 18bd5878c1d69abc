import type { StaffStrings } from '../i18n/staff';

type Reason = keyof StaffStrings['importReason'];

/**
 * The roster import's reasons as the server writes them (src/rosters/import: roster-row.parser.ts,
 * roster-file.reader.ts, roster-import.service.ts), each with the parts that go into the translation.
 * The server's text is the interface; one it does not know yet is shown as it came.
 */
const KNOWN: [RegExp, Reason][] = [
  [/^duplicate of line (\d+)$/, 'duplicate'],
  [/^has (\d+) cell\(s\) but the header has (\d+)$/, 'cells'],
  [/^must be an object keyed by column name$/, 'notObject'],
  [/^unknown column (.+)$/, 'unknownColumn'],
  [/^(\w+) must be a string$/, 'notString'],
  [/^(\w+) is required$/, 'required'],
  [/^external_id must be 1-64 /, 'externalId'],
  [/^first_name must be 1-60 characters$/, 'firstName'],
  [/^(\w+) must not contain control characters$/, 'control'],
  [/^email must be a valid email address$/, 'email'],
  [/^languages must list at least one /, 'noLanguages'],
  [/^unknown language code "((?:[^"\\]|\\.)*)"/, 'unknownCode'],
  [/^unknown language code (\S+)$/, 'unknownCode'],
  [/^unknown language variant (\S+)$/, 'unknownVariant'],
  [/^(\S+) needs a level from 1 to 5/, 'level'],
  [/^(\S+) is listed twice$/, 'twice'],
  [/^unknown specialty "((?:[^"\\]|\\.)*)" \(one of (.+)\)$/, 'specialty'],
  [/^(\w+) must be at most (\d+) characters$/, 'tooLong'],
  [/^certification_expires must be a real date/, 'date'],
  [/^gender must be /, 'gender'],
  [/^status must be /, 'status'],
];

/** A rejected row's reason in the console's language. */
export function importReason(message: string, s: StaffStrings): string {
  for (const [pattern, reason] of KNOWN) {
    const m = pattern.exec(message);
    if (m) return (s.importReason[reason] as (...parts: string[]) => string)(...m.slice(1));
  }
  return message;
}
