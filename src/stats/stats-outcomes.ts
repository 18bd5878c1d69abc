import { FEEDBACK_ANSWERS, REFERRED_TO, WRAPUP_SIGNS } from '../realtime/realtime.contract';
import { ANOTHER_INTERPRETER } from '../sessions/end-reasons';

const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** One count of OUTCOMES: which list its value is from (the consoles name it by that list's own words). */
export type Outcome =
  | { key: string; kind: 'feedback'; value: (typeof FEEDBACK_ANSWERS)[number]; filter: string }
  | { key: string; kind: 'referred'; value: (typeof REFERRED_TO)[number]; filter: string }
  | { key: string; kind: 'sign'; value: (typeof WRAPUP_SIGNS)[number]; filter: string }
  | { key: string; kind: 'another'; value: typeof ANOTHER_INTERPRETER; filter: string };

/**
 * What was said of the calls after them (issue 16), from the session's metadata: the woman's one answer, where the
 * interpreter referred her, the signs she noticed, and calls where she asked for another interpreter. Each with its
 * name in the statistics (`afterCall`) and the sessions it counts (SQL over `sessions s`).
 */
export const OUTCOMES: readonly Outcome[] = [
  ...FEEDBACK_ANSWERS.map((a) => ({ key: camel(`feedback_${a}`), kind: 'feedback', value: a, filter: `s.feedback = '${a}'` }) as const),
  ...REFERRED_TO.map((k) => ({ key: camel(`referred_${k}`), kind: 'referred', value: k, filter: `'${k}' = ANY (s.referred_to)` }) as const),
  ...WRAPUP_SIGNS.map((k) => ({ key: camel(`sign_${k}`), kind: 'sign', value: k, filter: `'${k}' = ANY (s.signs)` }) as const),
  { key: 'anotherInterpreter', kind: 'another', value: ANOTHER_INTERPRETER, filter: `s.end_reason = '${ANOTHER_INTERPRETER}'` },
];
