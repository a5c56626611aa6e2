/**
 * The reference app on the command line (SPEC 5): `npm run app -- <command> [options]`.
 * It keeps the device credentials in a JSON state file (mode 0600): base URL, device id and
 * secret, and the short-lived access token of the last unlock. Never the PIN, never the password.
 * Exit codes: 0 done, 1 the API (or the network, or the state) said no, 2 usage error.
 *
 * The parts are in `app-cli/`: the command line and its usage (`command-line.ts`), linking the
 * device (`login.ts`), its PIN and access token (`pin-and-session.ts`), the API calls and their
 * failures (`api-calls.ts`), the state file (`state-file.ts`), the input of secrets
 * (`stdin.ts`), the network (`loopback-fetch.ts`) and the QR image (`qr-png.ts`).
 */
import { pathToFileURL } from 'node:url';
import { runAppCli } from './app-cli/command-line.js';

export { runAppCli } from './app-cli/command-line.js';
export type { CliIo, LineSource } from './app-cli/context.js';

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  process.exitCode = await runAppCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
