// The least CPU any HTTP -> Kafka request/reply mesh spends per query on this machine: the same
// hops as ragmesh's query path with nothing done at either end, measured at the benchmark's rate.
// - HTTP: a bare node:http server in its own process answering a POST with a reply of the size of
//   a query's JSON answer, driven by the same fetch client as the benchmark; its CPU per request.
// - Kafka: an asker (kafkajs producer + consumer, as the gateway) and an answerer in its own process
//   (kafkajs consumer + producer, as the retriever) exchanging a request and a reply of a query's
//   sizes through a scratch topic pair, the clients configured as the services configure theirs;
//   the CPU per round trip of the asker, the answerer and the broker.
// Each part is warmed up at the rate first (the broker's JIT, the connections), then measured.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { openLoop } from './open-loop.mjs';
import { cpuSecondsOf, round } from './procs.mjs';

const REQUEST_BYTES = 400;
const REPLY_BYTES = 6_000;
const consumerSettings = { maxWaitTimeInMs: 100, sessionTimeout: 6_000, heartbeatInterval: 1_000 };
const replyBody = JSON.stringify({ hits: 'x'.repeat(REPLY_BYTES) });

if (process.argv[2] === 'http-server') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(replyBody);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

if (process.argv[2] === 'kafka-answerer') {
  const [, , , brokers, requests, replies] = process.argv;
  const kafka = new Kafka({ clientId: 'ragmesh-bench-floor-answerer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${requests}-answerer`, ...consumerSettings });
  const reply = Buffer.alloc(REPLY_BYTES, 1);
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: requests, fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => process.send('joined'));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      await producer.send({ topic: replies, messages: [{ key: message.key, value: reply }] });
    },
  });
  process.on('disconnect', () => void Promise.allSettled([consumer.disconnect(), producer.disconnect()]).then(() => process.exit(0)));
}

async function measure({ qps, seconds, warmupSeconds, run, pids }) {
  await openLoop({ qps, seconds: warmupSeconds, run });
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
  const self = process.cpuUsage();
  const { errors, total } = await openLoop({ qps, seconds, run });
  const mine = process.cpuUsage(self);
  const perCall = (cpuSeconds) => round((cpuSeconds * 1000) / total, 3);
  const cpuMs = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, perCall((cpuSecondsOf(pid) ?? 0) - (before[name] ?? 0))]));
  return { cpuMs, selfMs: perCall((mine.user + mine.system) / 1e6), errors };
}

/** CPU per request of a bare HTTP server, and per round trip of a bare Kafka request/reply. */
export async function probeMeshFloor({ brokers, brokerPid, qps, seconds = 30, warmupSeconds = 10 }) {
  const here = fileURLToPath(import.meta.url);
  const http = fork(here, ['http-server'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let httpFloor;
  try {
    const port = await new Promise((resolve) => http.once('message', resolve));
    const body = 'q'.repeat(REQUEST_BYTES);
    const run = () => fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.text());
    const { cpuMs, errors } = await measure({ qps, seconds, warmupSeconds, run, pids: { server: http.pid } });
    httpFloor = { serverMs: cpuMs.server, errors };
  } finally {
    http.kill();
  }

  const kafka = new Kafka({ clientId: 'ragmesh-bench-floor-asker', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const name = `bench-floor-${randomUUID().slice(0, 8)}`;
  const requests = `${name}-requests`;
  const replies = `${name}-replies`;
  await admin.createTopics({ topics: [requests, replies].map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  const answerer = fork(here, ['kafka-answerer', brokers.join(','), requests, replies], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${replies}-asker`, ...consumerSettings });
  const waiting = new Map();
  try {
    const joined = new Promise((resolve) => answerer.once('message', resolve));
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: replies, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => waiting.get(message.key.toString())?.() });
    await joined;
    const request = Buffer.alloc(REQUEST_BYTES, 2);
    const run = async () => {
      const id = randomUUID();
      const answered = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reply within 5 s')), 5_000);
        waiting.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await producer.send({ topic: requests, messages: [{ key: id, value: request }] });
      await answered.finally(() => waiting.delete(id));
    };
    const { cpuMs, selfMs, errors } = await measure({ qps, seconds, warmupSeconds, run, pids: { answerer: answerer.pid, ...(brokerPid ? { broker: brokerPid } : {}) } });
    const kafkaFloor = { askerMs: selfMs, answererMs: cpuMs.answerer, brokerMs: cpuMs.broker ?? null, errors };
    const totalMs = round(httpFloor.serverMs + kafkaFloor.askerMs + kafkaFloor.answererMs + (kafkaFloor.brokerMs ?? 0), 3);
    return { qps, seconds, requestBytes: REQUEST_BYTES, replyBytes: REPLY_BYTES, http: httpFloor, kafka: kafkaFloor, totalMs };
  } finally {
    answerer.disconnect();
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [requests, replies] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
