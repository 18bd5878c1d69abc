import { FEEDBACK_ANSWERS, REFERRED_TO, WRAPUP_SIGNS } from '../realtime/realtime.contract';
import { ANOTHER_INTERPRETER } from '../sessions/end-reasons';

const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/**
 * What was said of the calls after them (issue 16), from the session's metadata: the woman's one answer, where the
 * interpreter referred her, the signs she noticed, and calls where she asked for another interpreter. Each with its
 * name in the statistics (`afterCall`) and the sessions it counts (SQL over `sessions s`).
 */
export const OUTCOMES: readonly { key: string; filter: string }[] = [
  ...FEEDBACK_ANSWERS.map((a) => ({ key: camel(`feedback_${a}`), filter: `s.feedback = '${a}'` })),
  ...REFERRED_TO.map((k) => ({ key: camel(`referred_${k}`), filter: `'${k}' = ANY (s.referred_to)` })),
  ...WRAPUP_SIGNS.map((k) => ({ key: camel(`sign_${k}`), filter: `'${k}' = ANY (s.signs)` })),
  { key: 'anotherInterpreter', filter: `s.end_reason = '${ANOTHER_INTERPRETER}'` },
];
