// How a command fails: the exit code follows from the kind of error (`command-line.ts`).

/** The command line is wrong: exit 2, with the usage when the command itself is missing or unknown. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/** The API, the network or the state said no: exit 1. */
export class CliError extends Error {}
