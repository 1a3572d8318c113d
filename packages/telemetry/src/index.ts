export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { injectTraceHeaders, extractTraceContext } from './kafka-context.js';
