// Rebuilds bench/results/<base>.md from the JSON files of a run (after a change to the summary's
// layout). Usage: node src/render-results.mjs [base]   (base: ingest | ingest.docs<N>; default ingest)
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { markdown, targetsFor } from './lib/report.mjs';
import { benchDir } from './lib/settings.mjs';

const base = process.argv[2] ?? 'ingest';
const dir = join(benchDir, 'results');
const files = (await readdir(dir)).filter((f) => f.startsWith(`${base}-`) && f.endsWith('.json'));
if (files.length === 0) throw new Error(`no ${base}-<provider>.json in ${dir}`);
let results = null;
for (const file of files) {
  const entry = JSON.parse(await readFile(join(dir, file), 'utf8'));
  const { provider } = entry;
  const common = ['benchmark', 'runId', 'startedAt', 'finishedAt', 'command', 'git', 'host', 'corpus', 'settings', 'codeFingerprint', 'kafka', 'targets'];
  results ??= { ...Object.fromEntries(common.map((k) => [k, entry[k]])), providers: {} };
  const own = { ...entry };
  for (const k of [...common, 'provider', 'comparison']) delete own[k];
  results.providers[provider] = own;
}
results.targets = targetsFor(results);
await writeFile(join(dir, `${base}.md`), markdown(results));
console.log(`wrote ${join(dir, `${base}.md`)} from ${files.join(', ')}`);
