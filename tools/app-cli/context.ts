// What every command gets: the output, the input for secrets and codes, the state file and the clock.
import { UsageError } from './errors.js';

/** Where secrets and codes come from when they are not options: a hidden prompt on a terminal, else lines of stdin. */
export interface LineSource {
  read(prompt: string, options: { hidden: boolean }): Promise<string | null>;
  close(): void;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Default: the global fetch, reaching `<name>.localhost` hosts on the loopback address. */
  fetch?: typeof fetch;
  /** Default: stdin. */
  input?: LineSource;
  now?: () => Date;
}

export interface Context {
  io: CliIo;
  input: LineSource;
  stateFile: string;
  now: () => Date;
}

export async function required(context: Context, prompt: string, hidden: boolean, missing: string): Promise<string> {
  const line = await context.input.read(prompt, { hidden });
  if (line === null || line === '') throw new UsageError(missing);
  return line;
}
