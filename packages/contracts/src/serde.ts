import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { ContractError } from './contract-error.js';
import { schemaTexts } from './events.generated.js';
import { topicSchemas, valueSubject, type Topic, type TopicEvents } from './topics.js';

const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export interface SerdeOptions {
  /** Confluent-compatible registry root, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  registryUrl: string;
  /** Topics whose value schemas this process writes or reads. */
  topics: readonly Topic[];
}

/**
 * Avro serializers with Confluent framing for the given topics. Call `register()` once at start:
 * it registers each schema under `<topic>-value` (BACKWARD) and caches the id, so encoding never
 * costs a registry round trip. Decoding resolves older writer schemas into the current reader type.
 */
export function createSerde(options: SerdeOptions) {
  const registry = new SchemaRegistry({ host: options.registryUrl, retry: { retries: 2 } });
  const readerTypes = new Map<Topic, avro.Type>();
  const schemaIds = new Map<Topic, number>();
  const resolvers = new Map<string, avro.Resolver | null>();

  for (const topic of options.topics) {
    readerTypes.set(topic, avro.Type.forSchema(JSON.parse(schemaTexts[topicSchemas[topic]]) as avro.Schema));
  }

  function readerType(topic: Topic): avro.Type {
    const type = readerTypes.get(topic);
    if (!type) throw new ContractError('UNKNOWN_SCHEMA', `serde was not created for topic ${topic}`);
    return type;
  }

  async function register(): Promise<void> {
    for (const topic of options.topics) {
      const { id } = await registry
        .register(
          { type: SchemaType.AVRO, schema: schemaTexts[topicSchemas[topic]] },
          { subject: valueSubject(topic), compatibility: COMPATIBILITY.BACKWARD },
        )
        .catch((cause: unknown) => {
          throw new ContractError('REGISTRY_UNAVAILABLE', `cannot register schema for ${topic}`, { retriable: true, cause });
        });
      schemaIds.set(topic, id);
    }
  }

  function encode<T extends Topic>(topic: T, event: TopicEvents[T]): Buffer {
    const id = schemaIds.get(topic);
    if (id === undefined) throw new ContractError('UNKNOWN_SCHEMA', `schema for ${topic} not registered; call register() first`);
    const type = readerType(topic);
    let body: Buffer;
    try {
      body = type.toBuffer(event);
    } catch (cause) {
      throw new ContractError('INVALID_EVENT', `event does not match the ${topicSchemas[topic]} schema`, { cause });
    }
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt8(MAGIC_BYTE, 0);
    header.writeUInt32BE(id, 1);
    return Buffer.concat([header, body]);
  }

  async function resolverFor(topic: Topic, writerId: number): Promise<avro.Resolver | null> {
    const cacheKey = `${topic}/${writerId}`;
    const cached = resolvers.get(cacheKey);
    if (cached !== undefined) return cached;
    const writer = (await registry.getSchema(writerId).catch((cause: unknown) => {
      const status = (cause as { status?: number }).status;
      if (status === 404) throw new ContractError('UNKNOWN_SCHEMA', `schema id ${writerId} is not in the registry`, { cause });
      throw new ContractError('REGISTRY_UNAVAILABLE', `cannot fetch schema id ${writerId}`, { retriable: true, cause });
    })) as unknown as avro.Type;
    const reader = readerType(topic);
    let resolver: avro.Resolver | null;
    try {
      resolver = reader.equals(writer) ? null : reader.createResolver(writer);
    } catch (cause) {
      throw new ContractError('UNKNOWN_SCHEMA', `schema id ${writerId} cannot be read as ${topicSchemas[topic]}`, { cause });
    }
    resolvers.set(cacheKey, resolver);
    return resolver;
  }

  async function decode<T extends Topic>(topic: T, message: Buffer | null): Promise<TopicEvents[T]> {
    if (!message || message.length < HEADER_LENGTH || message.readUInt8(0) !== MAGIC_BYTE) {
      throw new ContractError('UNDECODABLE', 'message is not Confluent-framed Avro (magic byte 0 + schema id)');
    }
    const writerId = message.readUInt32BE(1);
    const resolver = writerId === schemaIds.get(topic) ? null : await resolverFor(topic, writerId);
    try {
      const body = message.subarray(HEADER_LENGTH);
      const type = readerType(topic);
      return (resolver ? type.fromBuffer(body, resolver) : type.fromBuffer(body)) as TopicEvents[T];
    } catch (cause) {
      throw new ContractError('UNDECODABLE', `Avro body does not decode as ${topicSchemas[topic]}`, { cause });
    }
  }

  return { register, encode, decode, registry };
}

export type Serde = ReturnType<typeof createSerde>;
