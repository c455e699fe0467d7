// The PKI's own costs: unlocking a signing key from its PIN-encrypted PKCS#12
// (the part of every signature the PIN costs; native OpenSSL PBKDF2 vs
// node-forge's JavaScript one on the same file), a wrong PIN (the same work,
// plus the counter written to disk), enrolling an official (native RSA-2048
// key + certificate) and publishing a CRL.
//   npx tsx test/bench/pki.ts [--runs=60]
import { mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromPkcs12 } from '../../certs/ca.js';
import { createRootCa, issueSigning, issueWardCa } from '../../certs/ca-issue.js';
import { Keystore } from '../../certs/keystore.js';
import { RevocationRegister } from '../../certs/revocation.js';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 60);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const ms = (x: number) => x.toFixed(1);
async function time(n: number, fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + 3; i += 1) {
    const t0 = performance.now();
    await fn(i);
    if (i >= 3) out.push(performance.now() - t0); // the first runs warm the JIT
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'warddesk-bench-pki-'));
try {
  const root = createRootCa();
  const ward = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });
  // maxFailures high enough that the wrong-PIN runs never lock the key.
  const keys = new Keystore(dir, { maxFailures: 1_000_000 });
  keys.save('user.chutich', issueSigning(ward, 'leader', { commonName: 'Nguyễn Văn An' }), '246810');

  const unlock = await time(runs, () => keys.unlock('user.chutich', '246810'));
  console.log(`unlock_p50_ms ${ms(pct(unlock, 50))} ms`);
  console.log(`unlock_p95_ms ${ms(pct(unlock, 95))} ms`);
  const wrong = await time(runs, () => keys.unlock('user.chutich', '000000').catch(() => undefined));
  console.log(`wrong_pin_p50_ms ${ms(pct(wrong, 50))} ms`);
  const p12 = readFileSync(join(dir, 'user.chutich.p12'));
  const forgeUnlock = await time(Math.min(runs, 10), () => fromPkcs12(p12, '246810'));
  console.log(`unlock_forge_p50_ms ${ms(pct(forgeUnlock, 50))} ms`);
  const enrol = await time(Math.min(runs, 20), (i) => keys.save(`user.bench${i}`, issueSigning(ward, 'leader', { commonName: `Cán bộ ${i}` }), '246810'));
  console.log(`enrol_p50_ms ${ms(pct(enrol, 50))} ms`);
  const register = new RevocationRegister(dir, 'ward-ca');
  for (let i = 0; i < 200; i += 1) register.revoke(ward, (0x1000 + i).toString(16));
  const crl = await time(runs, () => register.publish(ward));
  console.log(`crl_200_entries_p50_ms ${ms(pct(crl, 50))} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
