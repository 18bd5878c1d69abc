import { registerDecorator, ValidationOptions } from 'class-validator';
import { isIsoLanguageCode } from '../iso-639-3';

/** A lower-case ISO 639-3 language code that the iso-639-3 package knows (special codes such as `und` excluded). */
export function IsIso6393(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isIso6393',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be an ISO 639-3 language code`, ...options },
      validator: { validate: (value: unknown) => isIsoLanguageCode(value) },
    });
}
