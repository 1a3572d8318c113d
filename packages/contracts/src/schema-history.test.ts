import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { isBackwardCompatible } from './compatibility.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const schemasDir = join(root, 'schemas');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as avro.Schema;
const current = readdirSync(schemasDir).filter((f) => f.endsWith('.avsc'));

describe('schema history', () => {
  it('keeps a history folder for every schema', () => {
    expect(current.length).toBe(4);
    for (const file of current) {
      expect(readdirSync(join(schemasDir, 'history', file.replace('.avsc', '')))).toContain('v1.avsc');
    }
  });

  it.each(current)('%s stays BACKWARD compatible with every committed version', (file) => {
    const historyDir = join(schemasDir, 'history', file.replace('.avsc', ''));
    for (const version of readdirSync(historyDir)) {
      const result = isBackwardCompatible(read(join(schemasDir, file)), read(join(historyDir, version)));
      expect(result, `${file} vs history/${version}`).toEqual({ ok: true });
    }
  });

  it('detects an incompatible change', () => {
    const previous = read(join(schemasDir, 'document-event.avsc')) as avro.schema.RecordType;
    const next = { ...previous, fields: [...previous.fields, { name: 'required', type: 'string' }] };
    expect(isBackwardCompatible(next, previous).ok).toBe(false);
    const withDefault = { ...previous, fields: [...previous.fields, { name: 'optional', type: 'string', default: '' }] };
    expect(isBackwardCompatible(withDefault, previous)).toEqual({ ok: true });
  });

  it('has generated TypeScript types up to date with the schemas', () => {
    expect(() => execFileSync('node', [join(root, 'packages/contracts/scripts/generate.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
