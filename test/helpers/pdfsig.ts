// poppler's pdfsig with a throw-away NSS database that trusts the given root:
// an independent validator to cross-check our verifier's verdicts.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PdfsigEntry { signature: string; certificate: string }

/** Creates `dir`/nss trusting `rootPem`; returns a checker writing files into `dir`. */
export function pdfsigWithRoot(dir: string, rootPem: string): (bytes: Buffer, name: string) => PdfsigEntry[] {
  const nss = join(dir, 'nss');
  mkdirSync(nss, { recursive: true });
  writeFileSync(join(dir, 'nss-root.pem'), rootPem);
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'root', '-t', 'CT,C,C', '-i', join(dir, 'nss-root.pem')]);
  return (bytes, name) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const r = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, file], { encoding: 'utf8' });
    return r.stdout.split(/Signature #\d+:/).slice(1).map((block) => ({
      signature: /Signature Validation: (.*)/.exec(block)?.[1] ?? '',
      certificate: /Certificate Validation: (.*)/.exec(block)?.[1] ?? '',
    }));
  };
}
