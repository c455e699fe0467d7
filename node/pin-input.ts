// Where the CLI gets a PIN: an environment variable, or else a prompt on the
// terminal that echoes nothing. Never argv (every user sees it in `ps`).
// Hand-written: Node's readline has no hidden-input mode, and these 25 lines
// do not justify a new dependency (npm's `read` would do the same).
import { wardError } from '../sync/errors.js';

export class PinUnavailable extends Error {}

export async function pinFrom(env: NodeJS.ProcessEnv, name: string, label: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  const value = env[name] || (input.isTTY ? await promptHidden(`${label} (${name}): `, input) : undefined);
  if (value === undefined) throw new PinUnavailable(`Đặt biến môi trường ${name} hoặc chạy trong cửa sổ lệnh để nhập PIN / set ${name} or run in a terminal to type the PIN`);
  if (!/^.{6,32}$/u.test(value)) throw wardError('weak_pin');
  return value;
}

/** A hidden prompt on `input` (a terminal): what `warddesk signer` asks at each signature too. */
export function promptHidden(question: string, input: NodeJS.ReadStream): Promise<string> {
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (fn: () => void) => { input.setRawMode(false); input.pause(); input.off('data', onData); process.stderr.write('\n'); fn(); };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
        if (ch === '\u0003') return done(() => reject(new PinUnavailable('cancelled / đã hủy')));
        typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : typed + ch;
      }
    };
    input.on('data', onData);
  });
}
