// Exit codes every subcommand shares, and the one an action last returned. Kept free of
// imports: dispatch.ts loads this for every invocation, `--version` included.
export const EXIT = {
  /** Success; for checks: healthy, nothing found. */
  OK: 0,
  /** The thing checked is unhealthy, or problems were found. */
  PROBLEMS: 1,
  /** Usage or configuration error. */
  USAGE: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown by command code to stop with a message and a code without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

let lastExit: ExitCode = EXIT.OK;

/** What the last action returned (main.ts turns it into process.exitCode). */
export function exitCodeOfLastAction(): ExitCode {
  return lastExit;
}

export function recordExit(code: ExitCode): void {
  lastExit = code;
}
