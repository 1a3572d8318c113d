import type { IHeaders } from 'kafkajs';
import { errorCode } from './worker-error.js';

export interface FailedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  timestamp: string;
}

/** Header names on DLQ records; `ragmesh dlq` tooling reads the same names. */
export const dlqHeaders = {
  errorCode: 'dlq.error.code',
  errorMessage: 'dlq.error.message',
  errorStack: 'dlq.error.stack',
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  attempts: 'dlq.attempts',
  failedAt: 'dlq.failed.at',
} as const;

const STACK_LINES = 6;

/**
 * The DLQ record for a message that could not be handled: original key and bytes unchanged,
 * original headers kept, and the failure described in `dlq.*` headers.
 */
export function deadLetterRecord(message: FailedMessage, failure: { error: unknown; attempts: number; now?: Date }) {
  const error = failure.error instanceof Error ? failure.error : new Error(String(failure.error));
  const causeMessage = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return {
    key: message.key,
    value: message.value,
    timestamp: message.timestamp,
    headers: {
      ...message.headers,
      [dlqHeaders.errorCode]: errorCode(failure.error),
      [dlqHeaders.errorMessage]: `${error.message}${causeMessage}`.slice(0, 2000),
      [dlqHeaders.errorStack]: (error.stack ?? '').split('\n').slice(0, STACK_LINES).join('\n'),
      [dlqHeaders.sourceTopic]: message.topic,
      [dlqHeaders.sourcePartition]: String(message.partition),
      [dlqHeaders.sourceOffset]: message.offset,
      [dlqHeaders.attempts]: String(failure.attempts),
      [dlqHeaders.failedAt]: (failure.now ?? new Date()).toISOString(),
    },
  };
}
