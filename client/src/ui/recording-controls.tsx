import type { StaffStrings } from '../i18n/staff';
import { Mic } from './icons';
import './recordings.css';

/** Her consent that callers hear her voice: no record button of the section works without it. */
export function RecordingConsent({ text, consent, onChange }: { text: string; consent: boolean; onChange: (v: boolean) => void }) {
  return (
    <label class="recording-consent">
      <input type="checkbox" name="recording-consent" checked={consent} onChange={(e) => onChange(e.currentTarget.checked)} />
      <span>{text}</span>
    </label>
  );
}

/** Record one language's name or notice, or stop the recording in progress (it also stops by itself). */
export function RecordButton({
  s,
  label,
  languageId,
  recording,
  consent,
  onRecord,
  onStop,
}: {
  s: StaffStrings;
  label: string;
  languageId: string;
  recording: string | null;
  consent: boolean;
  onRecord: (id: string) => void;
  onStop: () => void;
}) {
  return recording === languageId ? (
    <button type="button" class="stop" onClick={onStop}>
      <Mic size={24} /> {s.recordingStop}
    </button>
  ) : (
    <button type="button" class="record" disabled={!consent || !!recording} onClick={() => onRecord(languageId)}>
      <Mic size={24} /> {label}
    </button>
  );
}
