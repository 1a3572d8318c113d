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
const here = fileURLToPath(import.meta.url);

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

/**
 * The two ends' Kafka client, configured as the services configure theirs: kafkajs (the product's
 * client), or @platformatic/kafka (another pure-JavaScript client, for comparison only).
 */
async function kafkaClient(kind, brokers, clientId) {
  if (kind === 'platformatic') {
    const { Consumer, Producer } = await import('@platformatic/kafka');
    return {
      async producer() {
        const producer = new Producer({ clientId, bootstrapBrokers: brokers, idempotent: false, acks: -1, autocreateTopics: false });
        return { send: (topic, key, value) => producer.send({ messages: [{ topic, key: Buffer.from(key), value }] }), close: () => producer.close() };
      },
      async consume(groupId, topic, onMessage) {
        const consumer = new Consumer({ groupId, clientId, bootstrapBrokers: brokers, maxWaitTime: consumerSettings.maxWaitTimeInMs, sessionTimeout: consumerSettings.sessionTimeout, heartbeatInterval: consumerSettings.heartbeatInterval });
        const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
        stream.on('data', (message) => onMessage(message.key));
        return { close: () => consumer.close(true) };
      },
    };
  }
  const kafka = new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
  return {
    async producer() {
      const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return { send: (topic, key, value) => producer.send({ topic, messages: [{ key, value }] }), close: () => producer.disconnect() };
    },
    async consume(groupId, topic, onMessage) {
      const consumer = kafka.consumer({ groupId, ...consumerSettings });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
      await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => onMessage(message.key) });
      await joined;
      return { close: () => consumer.disconnect() };
    },
  };
}

if (process.argv[2] === 'kafka-answerer') {
  const [, , , kind, brokers, requests, replies] = process.argv;
  const client = await kafkaClient(kind, brokers.split(','), 'ragmesh-bench-floor-answerer');
  const producer = await client.producer();
  const reply = Buffer.alloc(REPLY_BYTES, 1);
  const consumer = await client.consume(`${requests}-answerer`, requests, (key) => producer.send(replies, key, reply));
  process.send('joined');
  process.on('disconnect', () => void Promise.allSettled([consumer.close(), producer.close()]).then(() => process.exit(0)));
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
  const kafkaFloor = await probeKafkaFloor({ brokers, brokerPid, qps, seconds, warmupSeconds });
  const totalMs = round(httpFloor.serverMs + kafkaFloor.askerMs + kafkaFloor.answererMs + (kafkaFloor.brokerMs ?? 0), 3);
  return { qps, seconds, requestBytes: REQUEST_BYTES, replyBytes: REPLY_BYTES, http: httpFloor, kafka: kafkaFloor, totalMs };
}

/**
 * CPU per round trip of a bare Kafka request/reply at `qps`: the asker (this process), the
 * answerer (a child) and the broker (`brokerPid`), with `client` ('kafkajs' or 'platformatic') at
 * both ends, through a scratch topic pair of 3 partitions each.
 */
export async function probeKafkaFloor({ brokers, brokerPid, qps, seconds = 30, warmupSeconds = 10, client = 'kafkajs' }) {
  const kafka = new Kafka({ clientId: 'ragmesh-bench-floor-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const name = `bench-floor-${randomUUID().slice(0, 8)}`;
  const requests = `${name}-requests`;
  const replies = `${name}-replies`;
  await admin.createTopics({ topics: [requests, replies].map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  const answerer = fork(here, ['kafka-answerer', client, brokers.join(','), requests, replies], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const asker = await kafkaClient(client, brokers, 'ragmesh-bench-floor-asker');
  const waiting = new Map();
  let producer;
  let consumer;
  try {
    const joined = new Promise((resolve) => answerer.once('message', resolve));
    producer = await asker.producer();
    consumer = await asker.consume(`${replies}-asker`, replies, (key) => waiting.get(key.toString())?.());
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
      answered.catch(() => undefined); // a send that fails first must not leave it unhandled
      await producer.send(requests, id, request);
      await answered.finally(() => waiting.delete(id));
    };
    const { cpuMs, selfMs, errors } = await measure({ qps, seconds, warmupSeconds, run, pids: { answerer: answerer.pid, ...(brokerPid ? { broker: brokerPid } : {}) } });
    return { client, askerMs: selfMs, answererMs: cpuMs.answerer, brokerMs: cpuMs.broker ?? null, errors };
  } finally {
    answerer.disconnect();
    await consumer?.close().catch(() => undefined);
    await producer?.close().catch(() => undefined);
    await admin.deleteTopics({ topics: [requests, replies] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
