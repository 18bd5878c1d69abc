import { createHash } from 'node:crypto';

const names = new Map<string, string>();

/**
 * A statement PostgreSQL parses and plans once per connection, then only executes: the hot statements of
 * matching are long CTEs whose planning costs more than running them. Pass the result wherever TypeORM's
 * `query` takes SQL (it hands the object to `pg`, which prepares it by name). The name is derived from the
 * text, so one text is always one name.
 */
export function prepared(text: string): string {
  let name = names.get(text);
  if (!name) names.set(text, (name = `puente_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  return { name, text } as unknown as string;
}
