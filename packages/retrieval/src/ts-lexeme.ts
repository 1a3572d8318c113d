// A lexeme becomes a tsquery through the tsquery input syntax, quoted: inside quotes, operators
// (& | ! <-> :*) are plain characters, and only ' and \ need doubling. chr() keeps backslashes
// out of SQL literals, whose meaning would depend on standard_conforming_strings.
const quoted = (expr: string) => `chr(39) || replace(replace(${expr}, chr(92), repeat(chr(92), 2)), chr(39), repeat(chr(39), 2)) || chr(39)`;

/** SQL expression: a tsquery matching exactly the lexeme held by the text expression `expr`. */
export function tsLexemeQuery(expr: string): string {
  return `(${quoted(expr)})::tsquery`;
}

/** SQL expression: a tsquery matching any lexeme of the text[] expression `arrayExpr` (NULL if empty). */
export function tsAnyLexemeQuery(arrayExpr: string): string {
  return `(SELECT string_agg(${quoted('l.lexeme')}, ' | ') FROM unnest(${arrayExpr}) AS l(lexeme))::tsquery`;
}
