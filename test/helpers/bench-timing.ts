// Latency helpers shared by the benches that time HTTP requests one after another.
import type { Client } from './ward.js';

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Each path's answer time in ms, one request at a time; a non-200 answer stops the bench. */
export async function timed(client: Client, paths: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const path of paths) {
    const t = performance.now();
    const r = await client.get(path);
    out.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  return out;
}
