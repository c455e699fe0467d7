// The family of ward links the weak-link bench and the adaptation test run
// on (issue 19): from a flapping 3G dongle to a clean ADSL line. Shared by the
// harness users so a profile means the same link everywhere.
import type { WeakLinkOptions } from './weak-link.js';

export interface LinkProfile extends Omit<WeakLinkOptions, 'target'> {
  name: string;
  bytesPerSecond: number;
  /** Reset a request's connection with this probability (packet loss seen as resets). */
  resetProbability?: number;
  /** The payload scale the bench uses for this profile by default (so each finishes in minutes). */
  scale: number;
}

const kbit = (n: number) => (n * 1000) / 8;

export const PROFILES: readonly LinkProfile[] = [
  { name: 'flap64', bytesPerSecond: kbit(64), latencyMs: 800, cutEveryMs: 5_000, downMs: 2_000, scale: 1 / 64 },
  { name: 'flap96', bytesPerSecond: kbit(96), latencyMs: 500, cutEveryMs: 10_000, downMs: 3_000, scale: 1 / 32 },
  { name: 'issue256', bytesPerSecond: kbit(256), latencyMs: 300, cutEveryMs: 20_000, downMs: 1_000, scale: 1 / 16 },
  { name: 'fast2m', bytesPerSecond: kbit(2_000), latencyMs: 50, scale: 1 / 4 },
  { name: 'lossy512', bytesPerSecond: kbit(512), latencyMs: 100, resetProbability: 0.05, scale: 1 / 8 },
  { name: 'window30', bytesPerSecond: kbit(256), latencyMs: 300, cutEveryMs: 30_000, downMs: 570_000, scale: 1 / 16 },
];

export function profile(name: string): LinkProfile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p) throw new Error(`no link profile "${name}" (have ${PROFILES.map((x) => x.name).join(', ')})`);
  return p;
}
