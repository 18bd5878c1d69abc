import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Characters that are not seen but change what is seen: controls, line and paragraph separators, and format
 * characters (Unicode Cf: bidi overrides such as U+202E, zero-width spaces and joiners such as U+200B, the BOM).
 * In a name they make two names look alike, or one read backwards, on another person's screen.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

export function hasInvisible(text: string): boolean {
  return INVISIBLE.test(text);
}

/** The message naming the field, for a DTO's validator and a roster row alike. */
export const invisibleMessage = (field: string) => `${field} must not contain control, bidirectional or zero-width characters`;

/** class-validator: the string holds no control, bidi or zero-width character (see hasInvisible). */
export const NoInvisibleChars = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'noInvisibleChars',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasInvisible(value),
        defaultMessage: (a) => invisibleMessage(a?.property ?? 'value'),
      },
    },
    options,
  );
