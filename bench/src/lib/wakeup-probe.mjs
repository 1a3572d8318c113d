// How long one local round trip between two processes takes when the receiver has been idle for
// a while. On a VM whose idle vCPUs halt at once (no guest halt-polling), waking one costs the
// hypervisor's scheduling latency: every cross-process hop of a request (HTTP, Kafka, Postgres)
// can pay it, so this is the floor under the latency benchmark's figures on that machine.
import { fork } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === 'echo-server') {
  const server = createServer((socket) => socket.on('data', (data) => socket.write(data)));
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

/** Round-trip p50/p90 in ms after `gapsMs` of idleness each, `rounds` times per gap. */
export async function probeWakeups({ gapsMs = [0, 5, 20, 100], rounds = 60 } = {}) {
  const child = fork(fileURLToPath(import.meta.url), ['echo-server'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise((resolve) => child.once('message', resolve));
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((resolve) => socket.once('connect', resolve));
    const roundTrip = () =>
      new Promise((resolve) => {
        const t0 = performance.now();
        socket.once('data', () => resolve(performance.now() - t0));
        socket.write('x');
      });
    const result = {};
    for (const gap of gapsMs) {
      const samples = [];
      for (let i = 0; i < rounds; i++) {
        if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
        samples.push(await roundTrip());
      }
      samples.sort((a, b) => a - b);
      result[`${gap}ms`] = { p50: samples[Math.floor(samples.length / 2)], p90: samples[Math.floor(samples.length * 0.9)] };
    }
    socket.destroy();
    return result;
  } finally {
    child.kill();
  }
}
