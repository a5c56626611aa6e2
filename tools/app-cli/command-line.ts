// The command line: the usage, the options of each command, and the run that parses them and
// calls the command. Exit codes: 0 done, 1 the API (or the network, or the state) said no, 2 usage error.
import { parseArgs } from 'node:util';
import type { CliIo, Context, LineSource } from './context.js';
import { CliError, UsageError } from './errors.js';
import { deviceNameOf, loginEmail, loginQr } from './login.js';
import { logout, resetPin, setPin, showMe, unlock } from './pin-and-session.js';
import { stdinLines } from './stdin.js';

const usage = `Usage: npm run app -- <command> [options]   (every command takes --state FILE, default ./.ingang-app.json)
  login-qr <png-file-or-url> [--device-name NAME]
      Link this device with the QR code of /account/app: a PNG image of it, or the URL it holds
      (https://<org host>/app/login#<token>).
  login-email --base-url URL --email E [--password P] [--code C | --recovery-code R] [--device-name NAME]
      Link this device with e-mail address and password (read from stdin when not given), and the
      second factor when the account has one (--code, --recovery-code, or a line from stdin).
  set-pin [--pin 12345]        Set the PIN of the linked device (read from stdin when not given).
  unlock [--pin 12345]         Unlock with the PIN; keeps the access token in the state file.
  me                           Show the account, with the access token of the last unlock.
  logout                       End the access token.
  reset-pin                    Forgot the PIN: removes this device; log in again afterwards.`;

const defaultStateFile = './.ingang-app.json';

const options = {
  state: { type: 'string' },
  'device-name': { type: 'string' },
  'base-url': { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  code: { type: 'string' },
  'recovery-code': { type: 'string' },
  pin: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type OptionName = keyof typeof options;
type Command = 'login-qr' | 'login-email' | 'set-pin' | 'unlock' | 'me' | 'logout' | 'reset-pin';

const commandOptions: Record<Command, { options: OptionName[]; positionals: string[] }> = {
  'login-qr': { options: ['device-name'], positionals: ['png-file-or-url'] },
  'login-email': { options: ['base-url', 'email', 'password', 'code', 'recovery-code', 'device-name'], positionals: [] },
  'set-pin': { options: ['pin'], positionals: [] },
  unlock: { options: ['pin'], positionals: [] },
  me: { options: [], positionals: [] },
  logout: { options: [], positionals: [] },
  'reset-pin': { options: [], positionals: [] },
};

/** Runs one command: 0 done, 1 the API (or the network, or the state) said no, 2 usage error. */
export async function runAppCli(argv: string[], io: CliIo): Promise<number> {
  const input = io.input ?? stdinLines();
  try {
    await run(argv, io, input);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.showUsage ? `${error.message}\n\n${usage}` : `${error.message}\n(npm run app -- --help lists the commands)`);
      return 2;
    }
    if (error instanceof CliError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    input.close();
  }
}

async function run(argv: string[], io: CliIo, input: LineSource): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [commandName, ...rest] = positionals;
  if (values.help || commandName === 'help') {
    io.out(usage);
    return;
  }
  if (commandName === undefined) throw new UsageError('no command given', true);
  if (!isCommand(commandName)) throw new UsageError(`unknown command: ${commandName}`, true);
  const spec = commandOptions[commandName];
  for (const name of Object.keys(values) as OptionName[]) {
    if (name !== 'state' && name !== 'help' && !spec.options.includes(name)) throw new UsageError(`--${name} is not an option of ${commandName}`);
  }
  if (rest.length !== spec.positionals.length) {
    throw new UsageError(spec.positionals.length === 0 ? `${commandName} takes no arguments` : `${commandName} needs <${spec.positionals.join('> <')}>`);
  }
  const stateFile = values.state ?? defaultStateFile;
  if (stateFile.trim() === '') throw new UsageError('--state needs a file name');
  const context: Context = { io, input, stateFile, now: io.now ?? (() => new Date()) };

  switch (commandName) {
    case 'login-qr':
      return loginQr(context, rest[0]!, deviceNameOf(values['device-name']));
    case 'login-email':
      return loginEmail(context, values);
    case 'set-pin':
      return setPin(context, values.pin);
    case 'unlock':
      return unlock(context, values.pin);
    case 'me':
      return showMe(context);
    case 'logout':
      return logout(context);
    case 'reset-pin':
      return resetPin(context);
  }
}

function isCommand(name: string): name is Command {
  return Object.hasOwn(commandOptions, name);
}
