import { describe, expect, it } from 'vitest';
import { configurationProblem, errorCode, isInfrastructureError, isRetriable, WorkerError } from './worker-error.js';

describe('isRetriable', () => {
  it('trusts an explicit retriable flag', () => {
    expect(isRetriable(new WorkerError('HANDLER_FAILED', 'x', { retriable: true }))).toBe(true);
    expect(isRetriable(new WorkerError('HANDLER_FAILED', 'x'))).toBe(false);
  });

  it('retries network errors and transient Postgres states, also when wrapped', () => {
    expect(isRetriable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetriable(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isRetriable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '40001' }) }))).toBe(true);
  });

  it('does not retry constraint violations or plain errors', () => {
    expect(isRetriable(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
    expect(isRetriable(new Error('bad'))).toBe(false);
    expect(isRetriable(null)).toBe(false);
  });

  it('gives a stable code', () => {
    expect(errorCode(new WorkerError('RETRIES_EXHAUSTED', 'x'))).toBe('RETRIES_EXHAUSTED');
    expect(errorCode(new Error('x'))).toBe('UNKNOWN');
  });
});

const named = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name, ...extra });

describe('isInfrastructureError', () => {
  it('sees an unreachable broker however kafkajs wrapped it', () => {
    // What the producer's send threw during a broker outage: the cause is gone, only the message is left.
    const bare = named('KafkaJSNonRetriableError', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', { retriable: false });
    expect(isInfrastructureError(bare)).toBe(true);
    expect(isRetriable(bare)).toBe(true);
    const exceeded = named('KafkaJSNumberOfRetriesExceeded', 'x', { retriable: false, cause: named('KafkaJSConnectionError', 'Connection timeout') });
    expect(isInfrastructureError(exceeded)).toBe(true);
    expect(isInfrastructureError(named('KafkaJSProtocolError', 'There is no leader for this topic-partition', { retriable: true, type: 'LEADER_NOT_AVAILABLE' }))).toBe(true);
  });

  it('sees a restarting database, a closed cache connection, a down registry and a rate-limited model API', () => {
    expect(isInfrastructureError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isInfrastructureError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isInfrastructureError(new Error('Connection is closed.'))).toBe(true);
    expect(isInfrastructureError(named('ContractError', 'cannot fetch schema id 3', { code: 'REGISTRY_UNAVAILABLE', retriable: true }))).toBe(true);
    expect(isInfrastructureError(named('EmbeddingError', 'HTTP 429', { code: 'RATE_LIMITED', retriable: true }))).toBe(true);
    expect(isInfrastructureError(new WorkerError('HANDLER_FAILED', 'search failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }))).toBe(true);
  });

  it('leaves what is about the message: too large, invalid, a constraint, a deadlock', () => {
    expect(isInfrastructureError(named('KafkaJSProtocolError', 'The request included a message larger than the max message size', { retriable: false, type: 'MESSAGE_TOO_LARGE' }))).toBe(false);
    expect(isInfrastructureError(named('ChunkEmbedError', 'content is 20 MB', { code: 'DOCUMENT_TOO_LARGE' }))).toBe(false);
    expect(isInfrastructureError(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
    // Retried a few times, then dead-lettered: a deadlock is transient but not an outage.
    expect(isInfrastructureError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(false);
    expect(isRetriable(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
  });
});

describe('configurationProblem', () => {
  it('names refused credentials and grants of Postgres, Kafka and Redis, however wrapped', () => {
    const grant = Object.assign(new Error('permission denied for table chunks'), { code: '42501' });
    expect(configurationProblem(new WorkerError('HANDLER_FAILED', 'write failed', { cause: grant }))).toBe('postgres refused this service (42501): permission denied for table chunks');
    expect(configurationProblem(Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' }))).toMatch(/^postgres refused this service \(28P01\)/);
    expect(configurationProblem(named('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA256 authentication failed'))).toMatch(/^kafka refused the credentials/);
    const acl = named('KafkaJSProtocolError', 'Not authorized to access topics: [Topic authorization failed]', { retriable: false, type: 'TOPIC_AUTHORIZATION_FAILED' });
    expect(configurationProblem(named('KafkaJSNonRetriableError', 'x', { cause: acl }))).toMatch(/^kafka refused this principal \(TOPIC_AUTHORIZATION_FAILED\)/);
    expect(configurationProblem(named('ReplyError', 'WRONGPASS invalid username-password pair or user is disabled.'))).toMatch(/^redis refused this service/);
  });

  it('leaves outages and bad messages alone, and a row-level-security refusal too (it lies in the data)', () => {
    expect(configurationProblem(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBeUndefined();
    expect(configurationProblem(Object.assign(new Error('unique'), { code: '23505' }))).toBeUndefined();
    expect(configurationProblem(Object.assign(new Error('new row violates row-level security policy for table "chunks"'), { code: '42501' }))).toBeUndefined();
    expect(configurationProblem(named('KafkaJSProtocolError', 'too large', { retriable: false, type: 'MESSAGE_TOO_LARGE' }))).toBeUndefined();
  });
});
