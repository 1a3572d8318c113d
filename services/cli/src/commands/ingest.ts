import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';

const contentTypes: Record<string, string> = { '.md': 'text/markdown', '.markdown': 'text/markdown', '.html': 'text/html', '.htm': 'text/html', '.txt': 'text/plain' };

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && extname(e.name).toLowerCase() in contentTypes)
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export interface IngestOptions {
  paths: string[];
  gatewayUrl: string;
  apiKey: string;
  batchSize: number;
  chunking: string;
  progress: boolean;
}

/**
 * Sends files (.md, .html, .txt; folders recursively) to the gateway in batches. The document
 * id is the path relative to the folder given, so re-running the same command re-sends the same
 * ids and unchanged files cost nothing downstream.
 */
export async function ingestPaths(options: IngestOptions): Promise<{ files: number; accepted: number }> {
  const files: { path: string; id: string }[] = [];
  for (const given of options.paths) {
    const root = resolve(given);
    const isFile = (await stat(root)).isFile();
    for (const path of await listFiles(root)) files.push({ path, id: isFile ? relative(process.cwd(), path) : relative(root, path) });
  }
  const bar = options.progress ? new SingleBar({ format: 'ingest [{bar}] {value}/{total} files | {eta_formatted} left' }) : null;
  bar?.start(files.length, 0);
  let accepted = 0;
  try {
    for (let start = 0; start < files.length; start += options.batchSize) {
      const slice = files.slice(start, start + options.batchSize);
      const documents = await Promise.all(
        slice.map(async (f) => ({
          id: f.id,
          title: f.id,
          uri: `file://${f.path}`,
          content: await readFile(f.path, 'utf8'),
          contentType: contentTypes[extname(f.path).toLowerCase()] ?? 'text/plain',
          chunking: options.chunking,
        })),
      );
      const response = await fetch(`${options.gatewayUrl}/v1/documents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
        body: JSON.stringify({ documents: documents.filter((d) => d.content.trim().length > 0) }),
      });
      if (response.status !== 202) throw new Error(`gateway answered ${response.status}: ${await response.text()}`);
      accepted += ((await response.json()) as { documents: unknown[] }).documents.length;
      bar?.update(start + slice.length);
    }
  } finally {
    bar?.stop();
  }
  return { files: files.length, accepted };
}
