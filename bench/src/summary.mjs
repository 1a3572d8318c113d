// bench/results/summary.json: the performance figures under stable keys, gathered from the result
// files of the benchmarks that measured them (each keeps its own commit and machine load). A figure
// whose benchmark has not run is null. `make bench` runs this last; it can be rerun alone.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostFacts, repoRoot } from './lib/settings.mjs';

const dir = join(repoRoot, 'bench/results');
const read = (name) => (existsSync(join(dir, name)) ? JSON.parse(readFileSync(join(dir, name), 'utf8')) : null);
const query = read('query-latency.json');
const scale = read('scale.json');
const quantized = read('quantized.json');
// The newest local ingestion run, whole corpus (ingest-local.json) or a BENCH_DOCS subset.
const ingestFile = readdirSync(dir)
  .filter((f) => /^ingest(\.docs\d+)?-local\.json$/.test(f))
  .map((f) => ({ f, at: read(f)?.startedAt ?? '' }))
  .sort((a, b) => (a.at < b.at ? 1 : -1))[0]?.f;
const ingest = ingestFile ? read(ingestFile) : null;
const v = (x) => (x === undefined ? null : x);

const point = (entry) => (entry ? { p50Ms: v(entry.p50Ms), p99Ms: v(entry.p99Ms), cpuPerQueryMs: v(entry.cpuPerQueryMs) } : { p50Ms: null, p99Ms: null, cpuPerQueryMs: null });
const summary = {
  query: {
    cpuPerQueryMs: {
      meshTotal: v(query?.cpuPerQueryMs?.meshTotal),
      directTotal: v(query?.cpuPerQueryMs?.directTotal),
      postgresHybrid: v(query?.cpuPerQueryMs?.postgresHybrid),
      meshOutsidePostgres: v(query?.cpuPerQueryMs?.meshOutsidePostgres),
      // The same search one query at a time (no other query contending for the cores).
      postgresHybridOneAtATime: v(query?.cpuPerQueryMs?.postgresHybridOneAtATime),
    },
    saturationQps: { mesh: v(query?.saturation?.mesh?.qps), direct: v(query?.saturation?.direct?.qps) },
    // The same hops with no work (bare HTTP + kafkajs request/reply) against the mesh's own CPU and
    // what the 1.35x target leaves it (bench/README.md, query latency).
    meshFloorCpuMs: { floor: v(query?.meshFloor?.totalMs), meshOwn: v(query?.meshOwnMs), allowance: v(query?.meshOwnAllowanceMs) },
  },
  scale: {
    chunks100k: point(scale?.sizes?.find((s) => s.label === '100k')?.hybrid),
    chunks1m: point(scale?.sizes?.find((s) => s.label === '1m')?.hybrid),
    denseRecallAt10: v(scale?.denseRecallAt10),
  },
  quantized: { speedup: v(quantized?.speedup), ndcgDelta: v(quantized?.ndcgDelta) },
  memory: { chunkEmbedLocalPeakMiB: v(ingest?.mesh?.processes?.['chunk-embed']?.vmHwmMiB) },
  runs: {
    query: query ? { commit: v(query.commit), loadavg: query.loadavg } : null,
    scale: scale ? { commit: v(scale.commit), loadavg: v(scale.loadavg) } : null,
    quantized: quantized ? { commit: quantized.commit, loadavg: quantized.host?.loadavgAtStart } : null,
    ingest: ingest ? { file: ingestFile, docs: ingest.corpus?.documents ?? null, commit: ingest.git?.commit, dirty: ingest.git?.dirty, loadavg: ingest.host?.loadavg, at: ingest.startedAt } : null,
  },
  machine: { cpus: hostFacts().cpus, cpuModel: hostFacts().cpuModel },
  writtenAt: new Date().toISOString(),
};
writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
