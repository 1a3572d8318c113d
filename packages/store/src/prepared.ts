import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();

/**
 * A query config naming its statement after its text, so each pooled connection has Postgres
 * parse it once and then only binds and runs it (and, after five runs, may keep a generic plan).
 * For the hot, fixed texts of the search path only: every distinct text stays prepared on every
 * connection for its life, so texts built from request shapes (filters) must not come here.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `rm_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
