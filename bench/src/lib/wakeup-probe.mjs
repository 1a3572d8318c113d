// How long one local round trip between two processes takes when the receiver has been idle for
// a while. On a VM whose idle vCPUs halt at once (no guest halt-polling), waking one costs the
// hypervisor's scheduling latency: every cross-process hop of a request (HTTP, Kafka, Postgres)
// can pay it, so this is the floor under the latency benchmark's figures on that machine.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

if (process.argv[2] === 'echo-server') {
  const server = createServer((socket) => socket.on('data', (data) => socket.write(data)));
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

/** Sample quantiles (sorted in place) by the nearest-rank-below rule: q 0.5 = the median. */
function quantiles(samples, qs) {
  samples.sort((a, b) => a - b);
  return Object.fromEntries(qs.map((q) => [`p${Math.round(q * 100)}`, samples[Math.floor(q * (samples.length - 1))]]));
}

/** Round-trip p50/p90 in ms after `gapsMs` of idleness each, `rounds` times per gap. */
export async function probeWakeups({ gapsMs = [0, 5, 20, 100], rounds = 60 } = {}) {
  const child = fork(fileURLToPath(import.meta.url), ['echo-server'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise((resolve) => child.once('message', resolve));
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((resolve) => socket.once('connect', resolve));
    const roundTrip = () =>
      new Promise((resolve) => {
        const t0 = performance.now();
        socket.once('data', () => resolve(performance.now() - t0));
        socket.write('x');
      });
    const result = {};
    for (const gap of gapsMs) {
      const samples = [];
      for (let i = 0; i < rounds; i++) {
        if (gap > 0) await sleep(gap);
        samples.push(await roundTrip());
      }
      result[`${gap}ms`] = quantiles(samples, [0.5, 0.9]);
    }
    socket.destroy();
    return result;
  } finally {
    child.kill();
  }
}

/**
 * One request/reply leg alone: a kafkajs produce (acks all) to a scratch topic until a kafkajs
 * consumer holds the record, one record at a time, `gapMs` apart. The mesh's query path makes
 * two such hops; their sum is a floor under its latency above the search itself.
 */
export async function probeKafkaHop({ brokers, gapMs = 20, rounds = 200 }) {
  const kafka = new Kafka({ clientId: 'ragmesh-bench-hop', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench-hop-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: false });
  const consumer = kafka.consumer({ groupId: topic, maxWaitTimeInMs: 100 });
  const waiting = new Map();
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => waiting.get(message.value.toString())?.(performance.now()),
    });
    const warm = randomUUID();
    const first = new Promise((resolve) => waiting.set(warm, resolve));
    await producer.send({ topic, messages: [{ value: warm }] });
    await first;
    const samples = [];
    for (let i = 0; i < rounds; i++) {
      await sleep(gapMs);
      const id = randomUUID();
      const consumed = new Promise((resolve) => waiting.set(id, resolve));
      const t0 = performance.now();
      await producer.send({ topic, messages: [{ value: id }] });
      samples.push((await consumed) - t0);
      waiting.delete(id);
    }
    return { gapMs, ...quantiles(samples, [0.5, 0.9, 0.99]) };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
