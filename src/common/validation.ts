import { ArgumentMetadata, BadRequestException, ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';

/** Flattens class-validator errors to `["field.sub must be ...", ...]` and the list of offending fields. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): { messages: string[]; fields: string[] } {
  const messages: string[] = [];
  const fields: string[] = [];
  for (const e of errors) {
    const path = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) {
      fields.push(path);
      for (const m of Object.values(e.constraints)) {
        messages.push(m.startsWith(e.property) && parent ? `${parent}.${m}` : m);
      }
    }
    if (e.children?.length) {
      const nested = describeValidationErrors(e.children, path);
      messages.push(...nested.messages);
      fields.push(...nested.fields);
    }
  }
  return { messages, fields };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * A uuid written as PostgreSQL writes one (any version, either case): what an id column takes without an error.
 * Not class-validator's isUUID: even with 'all' it refuses version and variant digits PostgreSQL stores (a nil-like
 * or hand-made id would then be "not found" here while the database holds it).
 */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** Deeper than any payload of the API; class-transformer recurses per level and overflows the stack near 2,000. */
export const MAX_PAYLOAD_DEPTH = 32;

/** A 400 that names the offending field, as the validation pipe's own answers do (API.md, Conventions). */
export const badField = (field: string, message: string) =>
  new BadRequestException({ statusCode: 400, error: 'Bad Request', message: [message], fields: [field] });
/** The same for several fields at once (each named, with one message for all). */
export const badFields = (fields: string[], message: string) =>
  new BadRequestException({ statusCode: 400, error: 'Bad Request', message: fields.map((f) => `${f}: ${message}`), fields });
const invalid = (message: string, field: string) => badField(field, message);

/**
 * What the validators would never report: a key such as `constructor`, `__proto__`, `prototype` or `toString`,
 * which Nest and class-transformer drop silently instead of refusing as unknown, and nesting deep enough to
 * overflow class-transformer's stack (a 500). Walks iteratively, so the check itself cannot overflow.
 */
function unsafeFields(value: object): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (const [field, v] of Object.entries(value)) {
    if (field in Object.prototype || field === 'prototype') {
      problems.push({ field, message: `property ${field} should not exist` });
      continue;
    }
    const stack: [unknown, number][] = [[v, 1]];
    while (stack.length) {
      const [node, depth] = stack.pop()!;
      if (typeof node !== 'object' || node === null) continue;
      if (depth > MAX_PAYLOAD_DEPTH) {
        problems.push({ field, message: `${field} is nested too deeply` });
        break;
      }
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
    }
  }
  return problems;
}

/** A `:name` path parameter that must be a UUID; its 400 names it like any other field. */
export const uuidParam = (name: string) => new ParseUUIDPipe({ exceptionFactory: () => invalid(`${name} must be a UUID`, name) });

/** A DTO-typed body or socket payload must be a plain object (not null, an array, a string...). */
class StrictValidationPipe extends ValidationPipe {
  async transform(value: unknown, metadata: ArgumentMetadata) {
    const isDto = metadata.metatype && metadata.type !== 'custom' && this.toValidate(metadata);
    if (isDto && metadata.type !== 'query' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw invalid('payload must be an object', 'payload');
    }
    const problems = isDto && typeof value === 'object' && value !== null ? unsafeFields(value) : [];
    if (!problems.length) return super.transform(value, metadata);
    // Validate the other fields too, so that the answer names every bad field at once, as it does otherwise.
    const messages = problems.map((p) => p.message);
    const fields = problems.map((p) => p.field);
    try {
      await super.transform(Object.fromEntries(Object.entries(value as object).filter(([k]) => !fields.includes(k))), metadata);
    } catch (e) {
      if (!(e instanceof BadRequestException)) throw e;
      const res = e.getResponse() as { message?: unknown; fields?: unknown };
      if (Array.isArray(res.message)) messages.push(...res.message);
      if (Array.isArray(res.fields)) fields.push(...res.fields.filter((f) => !fields.includes(f)));
    }
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: messages, fields });
  }
}

/** Strict validation everywhere: unknown fields are refused, and the error names every bad field. */
export function strictValidationPipe() {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const { messages, fields } = describeValidationErrors(errors);
      return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: messages, fields });
    },
  });
}
