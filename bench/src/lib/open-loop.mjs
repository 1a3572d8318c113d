// The load shape both query benchmarks use: open loop, so a slow answer never delays the next ask.

/**
 * Calls `run(i)` at `qps` for `seconds`, each at its due time whatever the earlier ones take.
 * Resolves when all have settled: per call that resolved, the latency from its due time (ms) and
 * what it resolved with; the number that rejected.
 */
export async function openLoop({ qps, seconds, run }) {
  const total = Math.round(qps * seconds);
  const started = performance.now();
  const samples = [];
  let errors = 0;
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / qps;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      run(i).then(
        (value) => samples.push({ ms: performance.now() - due, value }),
        () => errors++,
      ),
    );
  }
  await Promise.all(inflight);
  return { samples, errors, total };
}

/** Count, p50, p95, p99 and max of `values` (nearest rank). */
export function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) };
}
