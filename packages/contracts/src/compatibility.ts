import avro from 'avsc';

/**
 * True when data written with `previous` can be read with `next` (Avro BACKWARD compatibility).
 * Used by the schema-history test; the registry enforces the same rule at registration.
 */
export function isBackwardCompatible(next: avro.Schema, previous: avro.Schema): { ok: true } | { ok: false; reason: string } {
  try {
    avro.Type.forSchema(next).createResolver(avro.Type.forSchema(previous));
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
