// The ward's identity as the admin may change it while the node runs: the
// parent agency's and the agency's names and the place written on documents.
// Edits override the config file's `ward` values and apply to every PDF
// rendered after them (signing reads current() at each signature).
//
// Kept in `<dataDir>/ward-settings.json`, not in the replicated store: like
// the config file they describe this node, the city's write rules know no
// such document, and a `settings:` document vouched for by the audit chain
// would be missing (a broken chain) after `restore --from-city`. The data
// directory's other files go into every backup (node/backup.ts), so the
// settings do too. Each change is one audited ledger command (who, which
// fields); the file is written atomically once the audit entry is on disk, so
// a refused or failed change leaves both as they were.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeAtomic } from '../certs/atomic-file.js';
import { wardError } from '../sync/errors.js';
import { parseInput } from '../sync/validation.js';
import type { Actor } from '../sync/schema.js';
import type { Config } from './config.js';
import type { Ledger } from './ledger.js';

export type WardIdentity = Config['ward'];

/** One line of printable text: it is set in capitals on a single line of the PDF header. */
const Line = z.string().trim().min(2).max(120).regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u);

export const WardSettingsPatch = z.strictObject({
  /** '' clears it: a UBND has no parent-agency line under two-tier local government. */
  agencyParent: z.union([z.literal(''), Line]).optional(),
  agencyName: Line.optional(),
  place: z.string().trim().min(2).max(60).regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u).optional(),
});
export type WardSettingsPatch = z.infer<typeof WardSettingsPatch>;
export const EDITABLE = ['agencyParent', 'agencyName', 'place'] as const;

export class WardSettings {
  readonly file: string;
  private overrides: WardSettingsPatch;
  private merged: WardIdentity;

  /** Reads the stored overrides; a file that does not parse stops the boot rather than silently printing the wrong agency. */
  constructor(private readonly config: Config, private readonly ledger: Ledger) {
    this.file = join(config.dataDir, 'ward-settings.json');
    this.overrides = existsSync(this.file) ? WardSettings.read(this.file) : {};
    this.merged = this.merge();
  }

  /** The identity as stored, for console commands that run beside the node (no ledger: read only). */
  static stored(config: Config): WardIdentity {
    const file = join(config.dataDir, 'ward-settings.json');
    return Object.freeze({ ...config.ward, ...(existsSync(file) ? WardSettings.read(file) : {}) });
  }

  private static read(file: string): WardSettingsPatch {
    let raw: unknown;
    try { raw = JSON.parse(readFileSync(file, 'utf8')); } catch { throw new Error(`${file} is not JSON: fix or remove it (the config file's ward values then apply)`); }
    const parsed = WardSettingsPatch.safeParse(raw);
    if (!parsed.success) throw new Error(`${file} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }

  /** The identity documents are rendered with now: the config file's, overridden by the admin's edits. */
  current(): WardIdentity { return this.merged; }

  /** Which fields the admin's edits override. */
  overridden(): (keyof WardSettingsPatch)[] { return EDITABLE.filter((k) => this.overrides[k] !== undefined); }

  /** Validates and stores `input` (a partial patch); returns the new identity. Nothing is written on a refusal. */
  async update(actor: Actor, input: unknown): Promise<WardIdentity> {
    const parsed = parseInput(WardSettingsPatch, input);
    if (!parsed.ok) throw parsed.error;
    const changed = EDITABLE.filter((k) => parsed.value[k] !== undefined);
    if (changed.length === 0) throw wardError('invalid_input', [{ path: '(body)', vi: `Cần ít nhất một trường: ${EDITABLE.join(', ')}.`, en: `At least one field is needed: ${EDITABLE.join(', ')}.` }]);
    const next: WardSettingsPatch = { ...this.overrides, ...parsed.value };
    return this.ledger.run(() => ({
      command: { actor, action: 'settings.ward', target: changed.join(','), docs: [] },
      result: undefined,
      applied: () => {
        writeAtomic(this.file, Buffer.from(`${JSON.stringify(next, null, 2)}\n`), 0o644);
        this.overrides = next;
        this.merged = this.merge();
      },
    })).then(() => this.merged);
  }

  private merge(): WardIdentity {
    return Object.freeze({ ...this.config.ward, ...this.overrides });
  }
}
