import type { StaffStrings } from '../i18n/staff';
import { Mic } from './icons';
import './spoken-names.css';

/** Her consent that callers hear her voice saying the names: no record button works without it. */
export function NameConsent({ s, consent, onChange }: { s: StaffStrings; consent: boolean; onChange: (v: boolean) => void }) {
  return (
    <label class="name-consent">
      <input type="checkbox" name="name-consent" checked={consent} onChange={(e) => onChange(e.currentTarget.checked)} />
      <span>{s.spokenNameConsent}</span>
    </label>
  );
}

/** Record a language's name, or stop the recording in progress (it also stops by itself). */
export function RecordNameButton({
  s,
  languageId,
  recording,
  consent,
  onRecord,
  onStop,
}: {
  s: StaffStrings;
  languageId: string;
  recording: string | null;
  consent: boolean;
  onRecord: (id: string) => void;
  onStop: () => void;
}) {
  return recording === languageId ? (
    <button type="button" class="stop" onClick={onStop}>
      <Mic size={24} /> {s.spokenNameStop}
    </button>
  ) : (
    <button type="button" class="record-name" disabled={!consent || !!recording} onClick={() => onRecord(languageId)}>
      <Mic size={24} /> {s.spokenNameRecord}
    </button>
  );
}
