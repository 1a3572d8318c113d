// Process and host probes from /proc: peak RSS, CPU seconds, machine utilization, load average.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { setInterval, clearInterval } from 'node:timers';

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
  // keep the Linux default
}

/** VmRSS / VmHWM of a pid in MiB, or null when it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/**
 * User + system CPU seconds a pid has used so far, or null; with `children`, plus those of its
 * exited children (a postmaster's exited backends).
 */
export function cpuSecondsOf(pid, options = {}) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    return (options.children ? own + Number(fields[13]) + Number(fields[14]) : own) / ticksPerSecond;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by every process whose command name is `comm` (e.g. all `postgres`
 * processes), counting exited children into their parent (backends into the postmaster).
 */
export function cpuSecondsOfCommand(comm) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
    } catch {
      continue;
    }
    total += cpuSecondsOf(Number(entry), { children: true }) ?? 0;
  }
  return total;
}

function machineTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Pids of the stack components that have a pid file (`<stateDir>/pids/<name>.pid`). */
export function stackPids(stateDir) {
  const dir = join(stateDir, 'pids');
  const found = {};
  let names = [];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.pid'));
  } catch {
    return found;
  }
  for (const file of names) {
    const pid = Number(readFileSync(join(dir, file), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && memoryOf(pid)) found[file.replace(/\.pid$/, '')] = pid;
  }
  return found;
}

/**
 * Samples, once a second while a phase runs, the RSS of the watched processes and the 1-minute
 * load average; `stop()` returns per-process peak sampled RSS, VmHWM, CPU seconds used during
 * the phase, the machine's CPU utilization and the load-average range.
 */
export function startSampler(watched) {
  const peaks = Object.fromEntries(Object.keys(watched).map((name) => [name, 0]));
  const cpuStart = Object.fromEntries(Object.entries(watched).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
  const ticksStart = machineTicks();
  const load = [loadavg()[0]];
  const started = performance.now();
  const sample = () => {
    for (const [name, pid] of Object.entries(watched)) {
      const m = memoryOf(pid);
      if (m && m.rssMiB > peaks[name]) peaks[name] = m.rssMiB;
    }
    load.push(loadavg()[0]);
  };
  sample();
  const timer = setInterval(sample, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const ticksEnd = machineTicks();
      const busy = (ticksEnd.total - ticksStart.total) - (ticksEnd.idle - ticksStart.idle);
      const processes = {};
      for (const [name, pid] of Object.entries(watched)) {
        const m = memoryOf(pid);
        const cpu = cpuSecondsOf(pid);
        processes[name] = {
          pid,
          peakSampledRssMiB: round(peaks[name]),
          vmHwmMiB: m ? round(m.hwmMiB) : null,
          cpuSeconds: cpu !== null && cpuStart[name] !== null ? round(cpu - cpuStart[name]) : null,
        };
      }
      return {
        seconds: round((performance.now() - started) / 1000),
        machineCpuUtilization: round(busy / Math.max(1, ticksEnd.total - ticksStart.total)),
        machineCpuSeconds: round(busy / ticksPerSecond),
        loadavg1: { min: round(Math.min(...load)), max: round(Math.max(...load)), end: round(load.at(-1)) },
        processes,
      };
    },
  };
}

export const round = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? x : Math.round(x * 10 ** digits) / 10 ** digits);
