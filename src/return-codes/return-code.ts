import { randomInt } from 'node:crypto';

/** How long a return code rings the same interpreter first (issue 16: "within 24 hours"). */
export const RETURN_CODE_HOURS = 24;

/** Six digits, the form she is shown it in (and types it in): leading zeros kept. */
export const RETURN_CODE_PATTERN = /^\d{6}$/;

/** A new code: six digits from a cryptographic source, leading zeros kept. */
export const newReturnCode = (): string => String(randomInt(1_000_000)).padStart(6, '0');
