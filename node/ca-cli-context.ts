// What every `warddesk ca` sub-command gets (ca-cli.ts builds it).

export interface CaIo { out(line: string): void; err(line: string): void }
/** What every sub-command gets: its arguments, the environment, and where to print. */
export interface CaContext {
  args: string[];
  env: NodeJS.ProcessEnv;
  io: CaIo;
  opt(name: string): string | undefined;
  opts(name: string): string[];
  need(value: string | undefined, what: string): string;
  pin(name: string, label: string): Promise<string>;
}

export class CliError extends Error {}

export function days(ctx: CaContext): number | undefined {
  const d = ctx.opt('--days');
  if (d === undefined) return undefined;
  if (!/^\d{1,3}$/.test(d) || Number(d) < 1) throw new CliError('--days: 1–999');
  return Number(d);
}
