import type { QueryResponse } from '@ragmesh/contracts';
import { createLogger } from '@ragmesh/telemetry';
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createQueryClient } from './query-client.js';

// An in-memory stand-in for the kafkajs consumer: enough to hand out partitions and replies.
function fakeKafka(fake: { fetchOnRun?: boolean } = {}) {
  const handlers = new Map<string, (event: unknown) => void>();
  let eachMessage: ((payload: { message: { value: Buffer; offset: string; key: null }; partition: number }) => Promise<void>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'join', FETCH: 'fetch', CRASH: 'crash' },
    on: (name: string, handler: (event: unknown) => void) => handlers.set(name, handler),
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (options: { eachMessage: typeof eachMessage }) => {
      eachMessage = options.eachMessage;
      handlers.get('join')?.({ payload: { memberAssignment: { 'queries.response': [2, 0] } } });
      if (fake.fetchOnRun ?? true) handlers.get('fetch')?.({});
    },
    disconnect: async () => undefined,
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, fetched: () => handlers.get('fetch')?.({}), reply: (value: Buffer) => eachMessage!({ message: { value, offset: '0', key: null }, partition: 0 }) };
}

const query = { tenant: 't', text: 'q', topK: 5, mode: 'HYBRID' as const, filter: null, mmr: null, answer: false, generation: null };

type ClientOptions = Parameters<typeof createQueryClient>[0];

/** A query client of instance gw-1 over `kafka`, with the serde, producer and deadline of the test. */
function queryClient(kafka: Kafka, options: Pick<ClientOptions, 'serde' | 'producer' | 'timeoutMs'>) {
  return createQueryClient({ kafka, logger: createLogger({ service: 't', silent: true }), groupId: 'g', instanceId: 'gw-1', ...options });
}

describe('query client', () => {
  it('asks on a partition it owns and resolves with the matching reply', async () => {
    const { kafka, reply } = fakeKafka();
    const sent: { partition: number | null; queryId: string }[] = [];
    const client = queryClient(kafka, {
      timeoutMs: 1_000,
      serde: {
        encode: (_topic, event) => {
          const request = event as { queryId: string; replyTo: { partition: number | null } };
          sent.push({ partition: request.replyTo.partition, queryId: request.queryId });
          return Buffer.from(request.queryId);
        },
        decode: async (_topic, value) => ({ queryId: value!.toString(), tenant: 't', hits: [], timings: {}, answer: null, error: null }) as never,
      },
      producer: { send: async () => [] },
    });
    await client.start();
    const pending = client.ask(query);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([0, 2]).toContain(sent[0]!.partition);
    await reply(Buffer.from(sent[0]!.queryId));
    expect(((await pending) as QueryResponse).queryId).toBe(sent[0]!.queryId);
    expect(client.pendingCount()).toBe(0);
  });

  it('rejects with DEADLINE_EXCEEDED, without an unhandled rejection, when the send outlives the deadline', async () => {
    const { kafka } = fakeKafka();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const client = queryClient(kafka, {
      timeoutMs: 20,
      serde: { encode: () => Buffer.from('x'), decode: async () => ({}) as never },
      producer: { send: () => new Promise((resolve) => setTimeout(() => resolve([]), 100)) },
    });
    await client.start();
    await expect(client.ask(query)).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(client.pendingCount()).toBe(0);
  });

  it('asks on an assigned partition only after the first fetch since the join resolved where reading starts', async () => {
    const { kafka, fetched } = fakeKafka({ fetchOnRun: false });
    const sent: number[] = [];
    const client = queryClient(kafka, {
      timeoutMs: 1_000,
      serde: { encode: () => Buffer.from('x'), decode: async () => ({}) as never },
      producer: {
        send: async () => {
          sent.push(1);
          return [];
        },
      },
    });
    await client.start();
    expect(client.isReady()).toBe(false);
    await expect(client.ask(query)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(sent).toEqual([]);
    fetched();
    expect(client.isReady()).toBe(true);
    void client.ask(query).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sent).toEqual([1]);
    await client.stop();
  });
});
