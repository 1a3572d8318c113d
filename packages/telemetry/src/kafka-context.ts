import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const setter: TextMapSetter<KafkaHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** Adds W3C `traceparent`/`tracestate` of `ctx` to outgoing Kafka headers. */
export function injectTraceHeaders(headers: KafkaHeaders = {}, ctx: Context = context.active()): KafkaHeaders {
  propagation.inject(ctx, headers, setter);
  return headers;
}

/** The context carried by an incoming Kafka message's headers; parent spans under it. */
export function extractTraceContext(headers: KafkaHeaders | undefined): Context {
  return propagation.extract(context.active(), headers ?? {}, getter);
}

/** The W3C traceparent of `ctx` (the active span by default), for an HTTP answer to carry; undefined when nothing is traced. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}
