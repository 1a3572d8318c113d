import { z } from 'zod';
import { RetrievalError } from './retrieval-error.js';

export const MAX_FILTER_DEPTH = 8;
export const MAX_FILTER_NODES = 64;
const MAX_IN_VALUES = 100;
const MAX_STRING = 1024;

/** Filters on this field compare the chunk's document id instead of a metadata key. */
export const DOCUMENT_ID_FIELD = 'documentId';

const field = z.string({ error: 'field must be a string' }).regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'field must match ^[A-Za-z0-9_.-]{1,64}$' });

// Postgres text cannot hold NUL; a request carrying one is malformed, not a database failure.
function checkString(value: unknown, ctx: z.RefinementCtx) {
  if (typeof value !== 'string') return;
  if (value.length > MAX_STRING) ctx.addIssue({ code: 'custom', message: `strings are limited to ${MAX_STRING} characters` });
  if (value.includes('\u0000')) ctx.addIssue({ code: 'custom', message: 'strings must not contain NUL characters' });
}

const value = z.union([z.string(), z.number(), z.boolean()], { error: 'value must be a string, a finite number or a boolean' }).superRefine(checkString);
const bound = z.union([z.string(), z.number()], { error: 'bound must be a string or a finite number' }).superRefine(checkString);

const eqSchema = z.strictObject({ field, value });
const inSchema = z.strictObject({ field, values: z.array(value).min(1).max(MAX_IN_VALUES) });
const existsSchema = z.strictObject({ field });
const rangeSchema = z
  .strictObject({ field, gte: bound.optional(), gt: bound.optional(), lte: bound.optional(), lt: bound.optional() })
  .superRefine((range, ctx) => {
    const bounds = [range.gte, range.gt, range.lte, range.lt].filter((b) => b !== undefined);
    if (bounds.length === 0) ctx.addIssue({ code: 'custom', message: 'range needs at least one of gte, gt, lte, lt' });
    else if (new Set(bounds.map((b) => typeof b)).size > 1) ctx.addIssue({ code: 'custom', message: 'range bounds must be all numbers or all strings' });
  });

export type FilterValue = z.infer<typeof value>;
export type FilterBound = z.infer<typeof bound>;
export type EqFilter = z.infer<typeof eqSchema>;
export type InFilter = z.infer<typeof inSchema>;
export type RangeFilter = z.infer<typeof rangeSchema>;
export type ExistsFilter = z.infer<typeof existsSchema>;

/**
 * A metadata filter: one operator per node. Metadata values are stored as strings; a number in
 * `eq`, `in` or `range` compares numerically (stored values that are not numbers never match),
 * a string compares as text (range: byte order), a boolean as the text `true`/`false`.
 * `documentId` names the chunk's document id, not a metadata key.
 */
export type Filter =
  | { eq: EqFilter }
  | { in: InFilter }
  | { range: RangeFilter }
  | { exists: ExistsFilter }
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter };

const operators = ['eq', 'in', 'range', 'exists', 'and', 'or', 'not'] as const;

const tooDeep = z.never({ error: `filters nest at most ${MAX_FILTER_DEPTH} levels` });

// One schema per nesting level, so depth is bounded by construction: the deepest level accepts
// no boolean operators and parsing never recurses into an arbitrarily deep input.
function nodeAt(child: z.ZodType<Filter> | typeof tooDeep): z.ZodType<Filter> {
  return z
    .strictObject({
      eq: eqSchema.optional(),
      in: inSchema.optional(),
      range: rangeSchema.optional(),
      exists: existsSchema.optional(),
      and: z.array(child).min(1).max(MAX_FILTER_NODES).optional(),
      or: z.array(child).min(1).max(MAX_FILTER_NODES).optional(),
      not: child.optional(),
    }, { error: (issue) => (issue.code === 'invalid_type' ? 'a filter node must be an object' : undefined) })
    .refine((node) => operators.filter((op) => node[op] !== undefined).length === 1, {
      error: `a filter node has exactly one operator: ${operators.join(', ')}`,
    })
    // Exactly one operator is present (checked above), which is what Filter says.
    .transform((node) => node as Filter);
}

function countNodes(filter: Filter): number {
  if ('and' in filter) return 1 + filter.and.reduce((n, f) => n + countNodes(f), 0);
  if ('or' in filter) return 1 + filter.or.reduce((n, f) => n + countNodes(f), 0);
  if ('not' in filter) return 1 + countNodes(filter.not);
  return 1;
}

let level: z.ZodType<Filter> = nodeAt(tooDeep);
for (let depth = MAX_FILTER_DEPTH - 1; depth >= 1; depth--) level = nodeAt(level);

/** The filter DSL as a zod schema: depth <= MAX_FILTER_DEPTH, at most MAX_FILTER_NODES nodes. */
export const filterSchema: z.ZodType<Filter> = level.superRefine((filter, ctx) => {
  const nodes = countNodes(filter);
  if (nodes > MAX_FILTER_NODES) ctx.addIssue({ code: 'custom', message: `filters have at most ${MAX_FILTER_NODES} nodes, got ${nodes}` });
});

/** The first issues of a failed parse as `root.path[0].key: message`, for error messages. */
export function describeIssues(error: z.ZodError, root: string): string {
  const path = (keys: readonly PropertyKey[]) => keys.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), root);
  return error.issues.slice(0, 5).map((issue) => `${path(issue.path)}: ${issue.message}`).join('; ');
}

/**
 * Validates a filter from a request (already JSON-parsed). Throws RetrievalError INVALID_FILTER
 * naming the offending path, e.g. `filter.and[1].eq.field: field must match ...`.
 */
export function parseFilter(json: unknown): Filter {
  const result = filterSchema.safeParse(json);
  if (!result.success) throw new RetrievalError('INVALID_FILTER', `invalid filter: ${describeIssues(result.error, 'filter')}`, { cause: result.error });
  return result.data;
}
