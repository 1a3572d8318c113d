import { describe, expect, it } from 'vitest';
import { compileFilter } from './compile-filter.js';
import { parseFilter, type Filter, type FilterValue } from './filter-schema.js';

function compile(filter: Filter) {
  const params: unknown[] = [];
  const sql = compileFilter(parseFilter(filter), { params });
  return { sql, params };
}

const NUM = (text: string) => `(CASE WHEN length(${text}) <= 100 AND ${text} ~ '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]{1,3})?$' THEN (${text})::numeric END)`;

describe('compileFilter', () => {
  it('compiles eq by value type: containment for text and booleans, guarded numeric for numbers', () => {
    expect(compile({ eq: { field: 'lang', value: 'en' } })).toEqual({ sql: 'c.metadata @> $1::jsonb', params: ['{"lang":"en"}'] });
    expect(compile({ eq: { field: 'draft', value: true } })).toEqual({ sql: 'c.metadata @> $1::jsonb', params: ['{"draft":"true"}'] });
    expect(compile({ eq: { field: 'year', value: 2024 } })).toEqual({ sql: `${NUM('(c.metadata ->> $1::text)')} = $2::numeric`, params: ['year', '2024'] });
    expect(compile({ eq: { field: 'documentId', value: 'doc-1' } })).toEqual({ sql: 'c.document_id = $1::text', params: ['doc-1'] });
    expect(compile({ eq: { field: 'documentId', value: 7 } })).toEqual({ sql: 'c.document_id = $1::text', params: ['7'] });
  });

  it('compiles in as text and numeric ANY over array parameters', () => {
    expect(compile({ in: { field: 'lang', values: ['en', 'de'] } })).toEqual({ sql: '(c.metadata ->> $1::text) = ANY($2::text[])', params: ['lang', ['en', 'de']] });
    expect(compile({ in: { field: 'n', values: [1, 2.5] } })).toEqual({ sql: `${NUM('(c.metadata ->> $1::text)')} = ANY($2::numeric[])`, params: ['n', ['1', '2.5']] });
    expect(compile({ in: { field: 'n', values: ['x', 3, false] } })).toEqual({
      sql: `((c.metadata ->> $1::text) = ANY($2::text[]) OR ${NUM('(c.metadata ->> $1::text)')} = ANY($3::numeric[]))`,
      params: ['n', ['x', 'false'], ['3']],
    });
    expect(compile({ in: { field: 'documentId', values: ['a', 1] } })).toEqual({ sql: 'c.document_id = ANY($1::text[])', params: [['a', '1']] });
  });

  it('compiles range numerically for numbers and in byte order for strings', () => {
    expect(compile({ range: { field: 'year', gte: 2000, lt: 2010 } })).toEqual({
      sql: `(${NUM('(c.metadata ->> $1::text)')} >= $2::numeric AND ${NUM('(c.metadata ->> $1::text)')} < $3::numeric)`,
      params: ['year', '2000', '2010'],
    });
    expect(compile({ range: { field: 'date', gt: '2024-01-01', lte: '2024-12-31' } })).toEqual({
      sql: '((c.metadata ->> $1::text) COLLATE "C" > $2::text AND (c.metadata ->> $1::text) COLLATE "C" <= $3::text)',
      params: ['date', '2024-01-01', '2024-12-31'],
    });
    expect(compile({ range: { field: 'documentId', gte: 'doc-5' } })).toEqual({ sql: '(c.document_id COLLATE "C" >= $1::text)', params: ['doc-5'] });
  });

  it('compiles exists as key existence; documentId always exists', () => {
    expect(compile({ exists: { field: 'author' } })).toEqual({ sql: 'c.metadata ? $1::text', params: ['author'] });
    expect(compile({ exists: { field: 'documentId' } })).toEqual({ sql: 'TRUE', params: [] });
  });

  it('nests and/or/not with NOT treating a missing key as not matching', () => {
    const filter: Filter = {
      and: [{ eq: { field: 'lang', value: 'en' } }, { or: [{ exists: { field: 'a' } }, { not: { range: { field: 'y', lt: 3 } } }] }],
    };
    expect(compile(filter)).toEqual({
      sql: `(c.metadata @> $1::jsonb AND (c.metadata ? $2::text OR (NOT coalesce((${NUM('(c.metadata ->> $3::text)')} < $4::numeric), false))))`,
      params: ['{"lang":"en"}', 'a', 'y', '3'],
    });
  });

  it('numbers placeholders after parameters already in the array', () => {
    const params: unknown[] = ['vector', 'model'];
    expect(compileFilter({ exists: { field: 'a' } }, { params })).toBe('c.metadata ? $3::text');
    expect(params).toEqual(['vector', 'model', 'a']);
  });

  describe('injection attempts end up in parameters only', () => {
    const hostile: FilterValue[] = [
      "'; DROP TABLE ragmesh.chunks; --",
      "x' OR '1'='1",
      '-- comment',
      '/* c */',
      "') OR TRUE --",
      '"}, "tenant_id": "other',
      '{"a": 1}',
      "metadata->>'tenant_id'",
      '#>{a,b}',
      '?| array[\'a\']',
      '$1',
      '\\',
      "E'\\x27'",
      'ü日本\u202e\ud83d\ude00',
      ';',
    ];
    const shapes = (v: FilterValue): Filter[] => [
      { eq: { field: 'k', value: v } },
      { in: { field: 'k', values: [v, 'y'] } },
      { range: { field: 'k', gte: typeof v === 'boolean' ? 'b' : v } },
      { not: { eq: { field: 'documentId', value: v } } },
    ];

    // The value travels as a parameter: itself, inside an array, or inside the JSON of @>.
    const carries = (params: unknown[], value: FilterValue) =>
      params.some((p) => p === value || (Array.isArray(p) && p.includes(value)) || (typeof p === 'string' && p.startsWith('{"k"') && JSON.parse(p).k === value));

    it('produces the same SQL text as harmless values of the same type', () => {
      for (const value of hostile) {
        const benign = typeof value === 'string' ? 'plain' : value;
        shapes(value).forEach((filter, i) => {
          const attack = compile(filter);
          expect(attack.sql).toBe(compile(shapes(benign)[i] as Filter).sql);
          expect(carries(attack.params, value)).toBe(true);
        });
      }
    });

    it('never copies a field or value into the SQL text', () => {
      const filter: Filter = { or: hostile.map((value, i) => ({ and: [{ eq: { field: `f${i}-x.y_z`, value } }, { exists: { field: `e${i}` } }] })) };
      const { sql, params } = compile(filter);
      // ('$1' is also a genuine placeholder; the same-SQL test above covers it.)
      for (const value of hostile.filter((v) => v !== '$1')) expect(sql).not.toContain(String(value));
      expect(sql).not.toMatch(/f\d+-x|e\d+/);
      // Only placeholders, the fixed operators and casts, and the numeric pattern remain.
      const skeleton = sql.replace(/\$\d+/g, '$').replace(NUM('(c.metadata ->> $::text)'), 'NUM');
      expect(skeleton).toMatch(/^[()$ a-zA-Z_.:@>?=,[\]]+$/);
      expect(params).toHaveLength(hostile.length * 2);
    });
  });
});
