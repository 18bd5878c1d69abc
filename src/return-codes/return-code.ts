import { randomInt } from 'node:crypto';
import { RETURN_CODE_DIGITS } from '../realtime/realtime.contract';

/** The form she is shown it in (and types it in): RETURN_CODE_DIGITS digits, leading zeros kept. */
export const RETURN_CODE_PATTERN = new RegExp(`^\\d{${RETURN_CODE_DIGITS}}$`);

/** A new code from a cryptographic source, leading zeros kept. */
export const newReturnCode = (): string => String(randomInt(10 ** RETURN_CODE_DIGITS)).padStart(RETURN_CODE_DIGITS, '0');
