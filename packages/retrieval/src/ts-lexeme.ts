// A lexeme becomes a tsquery through the tsquery input syntax, quoted: inside quotes, operators
// (& | ! <-> :*) are plain characters, and only ' and \ need doubling. chr() keeps backslashes
// out of SQL literals, whose meaning would depend on standard_conforming_strings.
const quoted = (expr: string) => `chr(39) || replace(replace(${expr}, chr(92), repeat(chr(92), 2)), chr(39), repeat(chr(39), 2)) || chr(39)`;

/** SQL expression: a tsquery matching exactly the lexeme held by the text expression `expr`. */
export function tsLexemeQuery(expr: string): string {
  return `(${quoted(expr)})::tsquery`;
}

/**
 * SQL expression: a tsquery matching any (`|`) or all (`&`) lexemes of the text[] expression
 * `arrayExpr`, NULL if it is empty. The cast sits inside the sub-select, so the planner sees a
 * tsquery parameter it can hand to the GIN index (a cast around the sub-select is re-evaluated
 * per row and keeps the index out).
 */
export function tsLexemesQuery(arrayExpr: string, operator: '|' | '&'): string {
  return `(SELECT string_agg(${quoted('l.lexeme')}, ' ${operator} ')::tsquery FROM unnest(${arrayExpr}) AS l(lexeme))`;
}
