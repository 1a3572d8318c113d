// Generates src/events.generated.ts from the .avsc files under schemas/, so event types are never
// typed twice. Run `pnpm generate`; `--check` fails when the committed file is stale.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const schemasDir = join(here, '../../../schemas');
const outFile = join(here, '../src/events.generated.ts');

const primitives = { null: 'null', boolean: 'boolean', int: 'number', long: 'number', float: 'number', double: 'number', bytes: 'Buffer', string: 'string' };

function render(files) {
  const declarations = [];
  const seen = new Set();
  const tsType = (schema) => {
    if (typeof schema === 'string') return primitives[schema] ?? schema.split('.').pop();
    if (Array.isArray(schema)) return schema.map(tsType).join(' | ');
    switch (schema.type) {
      case 'record': declare(schema); return schema.name;
      case 'enum': declare(schema); return schema.name;
      case 'array': return `${wrap(tsType(schema.items))}[]`;
      case 'map': return `Record<string, ${tsType(schema.values)}>`;
      default: return tsType(schema.type);
    }
  };
  const wrap = (t) => (t.includes('|') ? `(${t})` : t);
  const doc = (text, indent = '') => (text ? `${indent}/** ${text} */\n` : '');
  function declare(schema) {
    if (seen.has(schema.name)) return;
    seen.add(schema.name);
    if (schema.type === 'enum') {
      declarations.push(`${doc(schema.doc)}export type ${schema.name} = ${schema.symbols.map((s) => `'${s}'`).join(' | ')};\n`);
      return;
    }
    const fields = schema.fields.map((f) => `${doc(f.doc, '  ')}  ${f.name}: ${tsType(f.type)};`).join('\n');
    declarations.push(`${doc(schema.doc)}export interface ${schema.name} {\n${fields}\n}\n`);
  }
  const schemaConsts = [];
  for (const file of files) {
    const schema = JSON.parse(readFileSync(join(schemasDir, file), 'utf8'));
    tsType(schema);
    schemaConsts.push(`  ${schema.name}: ${JSON.stringify(JSON.stringify(schema))},`);
  }
  return [
    '// Generated from schemas/*.avsc by packages/contracts/scripts/generate.mjs. Do not edit.',
    '/* eslint-disable */',
    '',
    ...declarations,
    '/** The Avro schema text of each event, as committed under schemas/. */',
    'export const schemaTexts = {',
    ...schemaConsts,
    '} as const;',
    '',
  ].join('\n');
}

const files = readdirSync(schemasDir).filter((f) => f.endsWith('.avsc')).sort();
const output = render(files);
if (process.argv.includes('--check')) {
  const current = readFileSync(outFile, 'utf8');
  if (current !== output) {
    console.error('events.generated.ts is stale: run `pnpm generate`');
    process.exit(1);
  }
} else {
  writeFileSync(outFile, output);
}
