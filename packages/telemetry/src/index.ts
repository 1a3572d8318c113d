export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { injectTraceHeaders, extractTraceContext, traceparentOf } from './kafka-context.js';
