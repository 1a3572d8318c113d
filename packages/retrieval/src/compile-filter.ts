import { DOCUMENT_ID_FIELD, type EqFilter, type ExistsFilter, type Filter, type InFilter, type RangeFilter } from './filter-schema.js';

// Stored metadata values are strings; only those that look like plain decimal numbers are cast,
// so a stored "n/a" never makes `::numeric` throw. No backslashes: the pattern must read the
// same whatever standard_conforming_strings says. Longer strings than 100 characters never count
// as numbers (a numeric literal of 132k digits would overflow).
const NUMERIC_PATTERN = '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]{1,3})?$';

interface Context {
  params: unknown[];
}

function param(ctx: Context, value: unknown): string {
  ctx.params.push(value);
  return `$${ctx.params.length}`;
}

/** The text of the field: the document id column or a metadata key passed as a parameter. */
function fieldText(ctx: Context, field: string): string {
  return field === DOCUMENT_ID_FIELD ? 'c.document_id' : `(c.metadata ->> ${param(ctx, field)}::text)`;
}

function asNumeric(text: string): string {
  return `(CASE WHEN length(${text}) <= 100 AND ${text} ~ '${NUMERIC_PATTERN}' THEN (${text})::numeric END)`;
}

function compileEq(ctx: Context, { field, value }: EqFilter): string {
  if (field === DOCUMENT_ID_FIELD) return `c.document_id = ${param(ctx, String(value))}::text`;
  if (typeof value === 'number') return `${asNumeric(fieldText(ctx, field))} = ${param(ctx, String(value))}::numeric`;
  // Containment can use the GIN (jsonb_path_ops) index on metadata.
  return `c.metadata @> ${param(ctx, JSON.stringify({ [field]: String(value) }))}::jsonb`;
}

function compileIn(ctx: Context, { field, values }: InFilter): string {
  const numeric = (v: unknown): v is number => typeof v === 'number' && field !== DOCUMENT_ID_FIELD;
  const numbers = values.filter(numeric);
  const texts = values.filter((v) => !numeric(v)).map(String);
  const text = fieldText(ctx, field);
  const parts: string[] = [];
  if (texts.length > 0) parts.push(`${text} = ANY(${param(ctx, texts)}::text[])`);
  if (numbers.length > 0) parts.push(`${asNumeric(text)} = ANY(${param(ctx, numbers.map(String))}::numeric[])`);
  return parts.length === 1 ? (parts[0] ?? 'FALSE') : `(${parts.join(' OR ')})`;
}

function compileRange(ctx: Context, range: RangeFilter): string {
  const bounds = ([['gte', '>='], ['gt', '>'], ['lte', '<='], ['lt', '<']] as const).filter(([key]) => range[key] !== undefined);
  const numeric = bounds.some(([key]) => typeof range[key] === 'number');
  const text = fieldText(ctx, range.field);
  // Strings compare in byte order (COLLATE "C"), the same whatever the database's locale.
  const left = numeric ? asNumeric(text) : `${text} COLLATE "C"`;
  const cast = numeric ? 'numeric' : 'text';
  return `(${bounds.map(([key, op]) => `${left} ${op} ${param(ctx, String(range[key]))}::${cast}`).join(' AND ')})`;
}

function compileExists(ctx: Context, { field }: ExistsFilter): string {
  return field === DOCUMENT_ID_FIELD ? 'TRUE' : `c.metadata ? ${param(ctx, field)}::text`;
}

function compileNode(ctx: Context, filter: Filter): string {
  if ('and' in filter) return `(${filter.and.map((f) => compileNode(ctx, f)).join(' AND ')})`;
  if ('or' in filter) return `(${filter.or.map((f) => compileNode(ctx, f)).join(' OR ')})`;
  // A missing key makes a comparison NULL; NOT must then be true (the chunk lacks the value).
  if ('not' in filter) return `(NOT coalesce(${compileNode(ctx, filter.not)}, false))`;
  if ('eq' in filter) return compileEq(ctx, filter.eq);
  if ('in' in filter) return compileIn(ctx, filter.in);
  if ('range' in filter) return compileRange(ctx, filter.range);
  return compileExists(ctx, filter.exists);
}

/**
 * Compiles a parsed filter into a boolean SQL expression over `ragmesh.chunks` aliased `c`.
 * Every field name and value is appended to `params` and referenced as `$n`; the SQL text
 * depends only on the filter's shape and value types, never on request data.
 */
export function compileFilter(filter: Filter, options: { params: unknown[] }): string {
  return compileNode({ params: options.params }, filter);
}
