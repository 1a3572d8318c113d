import { trace } from '@opentelemetry/api';
import winston from 'winston';

const traceFields = winston.format((info) => {
  const span = trace.getActiveSpan();
  if (span) {
    const { traceId, spanId } = span.spanContext();
    info.trace_id = traceId;
    info.span_id = spanId;
  }
  return info;
});

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Silence output (unit tests). */
  silent?: boolean;
}

/** JSON logger carrying the active trace id; make child loggers per component with `.child({component})`. */
export function createLogger(options: LoggerOptions): winston.Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(winston.format.timestamp(), traceFields(), winston.format.errors({ stack: true }), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })],
  });
}

export type Logger = winston.Logger;
