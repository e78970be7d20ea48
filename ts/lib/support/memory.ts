import { readFileSync } from 'node:fs';

/**
 * Peak resident memory of this process in MB. On Linux this is VmHWM of the process's own address
 * space; getrusage's maxRSS is not used there because Linux carries the parent's high-water mark
 * across fork+exec, so a child of a big process (a benchmark, a JVM) would report the parent's peak.
 */
export function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.round(Number(match[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
