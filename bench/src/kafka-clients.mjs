// `make bench-kafka-clients`: would another pure-JavaScript Kafka client lower the query path's
// floor? The bare request/reply of lib/mesh-floor (no work at either end, a query's sizes, the
// services' consumer settings) with kafkajs at both ends and with @platformatic/kafka at both ends,
// in alternating passes (kafkajs, platformatic, kafkajs, platformatic, ...) so this VM's drift hits
// both alike, after one unmeasured pass of each to warm the broker's JIT. CPU per round trip of the
// asker, the answerer and the broker; the means per client.
//   BENCH_QPS (50), BENCH_CLIENT_SECONDS (30 per pass), BENCH_CLIENT_PASSES (2 per client),
//   BENCH_CLIENT_WARMUP_SECONDS (30, the unmeasured pass)
// Writes bench/results/kafka-clients.{json,md}.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { stackEnv } from '@ragmesh/testkit';
import { probeKafkaFloor } from './lib/mesh-floor.mjs';
import { round, stackPids } from './lib/procs.mjs';
import { hostFacts, repoRoot } from './lib/settings.mjs';

const qps = Number(process.env.BENCH_QPS ?? 50);
const seconds = Number(process.env.BENCH_CLIENT_SECONDS ?? 30);
const passes = Number(process.env.BENCH_CLIENT_PASSES ?? 2);
const warmupSeconds = Number(process.env.BENCH_CLIENT_WARMUP_SECONDS ?? 30);
const clients = ['kafkajs', 'platformatic'];
const { brokers } = stackEnv();
const brokerPid = stackPids(process.env.RAGMESH_STATE_DIR ?? join(repoRoot, '.state')).kafka;
if (!brokerPid) throw new Error('no broker pid file under RAGMESH_STATE_DIR/pids: run through deploy/local/private-stack.sh');

for (const client of clients) await probeKafkaFloor({ brokers, brokerPid, qps, seconds, warmupSeconds, client });
const runs = [];
for (let pass = 0; pass < passes; pass++) {
  for (const client of clients) {
    const run = await probeKafkaFloor({ brokers, brokerPid, qps, seconds, warmupSeconds: 5, client });
    runs.push(run);
    console.log(`  ${client}: asker ${run.askerMs}, answerer ${run.answererMs}, broker ${run.brokerMs} ms CPU per round trip (${run.errors} errors)`);
  }
}
const parts = ['askerMs', 'answererMs', 'brokerMs'];
const mean = (client, part) => round(runs.filter((r) => r.client === client).reduce((sum, r) => sum + r[part], 0) / passes, 3);
const means = Object.fromEntries(clients.map((client) => {
  const byPart = Object.fromEntries(parts.map((part) => [part, mean(client, part)]));
  return [client, { ...byPart, totalMs: round(parts.reduce((sum, part) => sum + byPart[part], 0), 3) }];
}));
const output = {
  benchmark: 'kafka-clients',
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim(),
  qps, seconds, passes, runs, means, loadavg: loadavg(), host: hostFacts(), writtenAt: new Date().toISOString(),
};
const md = [
  '# Kafka request/reply floor: kafkajs against @platformatic/kafka (`make bench-kafka-clients`)',
  '',
  `A bare request (400 B) and reply (6,000 B) between two processes through the bench broker, nothing done at either end, ${qps} q/s open loop, ${passes} alternating passes of ${seconds} s per client after a warm-up pass of each. CPU per round trip, ms (mean of the passes):`,
  '',
  '| client | asker | answerer | broker | total |',
  '|---|---:|---:|---:|---:|',
  ...clients.map((client) => `| ${client} | ${means[client].askerMs} | ${means[client].answererMs} | ${means[client].brokerMs} | ${means[client].totalMs} |`),
  '',
  'Passes in order:',
  '',
  ...runs.map((r) => `- ${r.client}: asker ${r.askerMs}, answerer ${r.answererMs}, broker ${r.brokerMs}${r.errors ? ` (${r.errors} errors)` : ''}`),
  '',
  `Commit ${output.commit}; load average at the end ${output.loadavg.map((l) => l.toFixed(2)).join(' ')}.`,
];
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench/results/kafka-clients.json'), `${JSON.stringify(output, null, 2)}\n`);
writeFileSync(join(repoRoot, 'bench/results/kafka-clients.md'), `${md.join('\n')}\n`);
console.log(md.slice(4).join('\n'));
