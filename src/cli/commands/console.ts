/**
 * `ivr-1699 console hash-password`: makes the password hash of a web-console account for the
 * `console.accounts` list of the config file. The password is read from standard input (typed
 * without echo on a terminal), never from the command line, where it would stay in the history.
 */
import { createInterface } from 'node:readline';
import { hashPassword } from '../../console/passwords.ts';
import { parseOptions, UsageError } from '../usage-error.ts';

export const summary = 'web console accounts: hash-password makes a password hash for console.accounts';

const HELP = `usage: ivr-1699 console hash-password [--user NAME]
  reads the password from standard input (on a terminal: typed twice, not shown) and prints the
  hash; with --user, prints the whole account entry for console.accounts in the config file:
    console:
      accounts:
        - { user: NAME, passwordHash: "scrypt$…" }
  The web console is at http://<HTTP_HOST>:<HTTP_PORT>/console (README "Web console").`;

async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const rl = createInterface({ input: stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    return '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return await new Promise<string>((resolve, reject) => {
    let s = '';
    const onData = (b: Buffer) => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          process.stderr.write('\n');
          return resolve(s);
        }
        if (ch === '\u0003') {
          done();
          return reject(new UsageError('cancelled'));
        }
        if (ch === '\u007f') s = s.slice(0, -1);
        else s += ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions({ args: argv, allowPositionals: true, options: { user: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }, `\n${HELP}`);
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals[0] !== 'hash-password' || positionals.length !== 1) throw new UsageError(`expected 'hash-password'\n${HELP}`);
  if (values.user !== undefined && !/^[A-Za-z0-9._-]{2,40}$/.test(values.user)) throw new UsageError('--user: 2–40 letters, digits, dot, dash or underscore');
  const password = await readSecret('password: ');
  if (process.stdin.isTTY) {
    const again = await readSecret('again: ');
    if (again !== password) throw new UsageError('the two passwords differ');
  }
  if (password.length < 8) throw new UsageError('a console password needs at least 8 characters');
  const hash = await hashPassword(password);
  process.stdout.write(values.user ? `- { user: ${values.user}, passwordHash: "${hash}" }\n` : `${hash}\n`);
  return 0;
}
