// An official's document writes, quiet and then under an anonymous login
// flood: 16 clients from 16 LAN addresses (127.0.0.100–115, see
// test/helpers/lan-client.ts) post logins with unknown user names and random
// passwords as fast as they get answers. Same node, same run; prints one
// figure a line with its unit. The target (issue 15): flood p95 within 2× of
// quiet p95.
//   npx tsx test/bench/login-flood.ts [--writes=200] [--clients=16]
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { official, sampleDraft, startTestWard, type Client } from '../helpers/ward.js';
import { LanClient } from '../helpers/lan-client.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const WRITES = arg('writes', 200);
const CLIENTS = arg('clients', 16);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function writes(c: Client, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    const r = await c.post('/api/documents/outgoing', sampleDraft({ subject: `Bench ${i}` }));
    out.push(performance.now() - t);
    if (r.status !== 201) throw new Error(`write ${i}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return out;
}

const ward = await startTestWard();
try {
  const clerk = await official(ward, 'vanthu', 'clerk');
  await writes(clerk, 10); // warm up
  const quiet = await writes(clerk, WRITES);

  let running = true;
  const answers = new Map<number, number>();
  const flooders = Array.from({ length: CLIENTS }, async (_, i) => {
    const c = new LanClient(ward.url, `127.0.0.${100 + i}`);
    while (running) {
      const r = await c.post('/api/auth/login', { username: `u${randomBytes(6).toString('hex')}`, password: randomBytes(12).toString('base64') });
      answers.set(r.status, (answers.get(r.status) ?? 0) + 1);
    }
  });
  await new Promise((ok) => setTimeout(ok, 1_000)); // the flood is on
  const floodStarted = performance.now();
  const flooded = await writes(clerk, WRITES);
  const floodSeconds = (performance.now() - floodStarted) / 1000;
  running = false;
  await Promise.all(flooders);
  const attempts = [...answers.values()].reduce((a, b) => a + b, 0);

  console.log(`login_flood_clients ${CLIENTS}`);
  console.log(`write_quiet_p50_ms ${percentile(quiet, 50).toFixed(1)}`);
  console.log(`write_quiet_p95_ms ${percentile(quiet, 95).toFixed(1)}`);
  console.log(`write_flood_p50_ms ${percentile(flooded, 50).toFixed(1)}`);
  console.log(`write_flood_p95_ms ${percentile(flooded, 95).toFixed(1)}`);
  console.log(`write_flood_p95_over_quiet_x ${(percentile(flooded, 95) / percentile(quiet, 95)).toFixed(2)}`);
  console.log(`login_flood_attempts_per_s ${(attempts / (floodSeconds + 1)).toFixed(1)}`);
  for (const [status, n] of [...answers].sort()) console.log(`login_flood_answers_${status} ${n}`);
  console.log(`machine_load_1m ${loadavg()[0]!.toFixed(2)}`);
} finally {
  await ward.stop();
}
