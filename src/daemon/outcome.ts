// How a daemon run ended. The daemon decides what happened; the command line decides what
// exit code that is (and whether to exit at once), so this stage never calls process.exit.

export type DaemonOutcome =
  /** Stopped cleanly on a signal. */
  | { kind: 'stopped'; signal: NodeJS.Signals }
  /** Never started: a setting or the state lock stood in the way; nothing was left running. */
  | { kind: 'refused'; setting: string; message: string }
  /** A second signal or the stop deadline: the process must end now, without a clean stop. */
  | { kind: 'abandoned'; reason: string };

/** A start-up step that cannot proceed, named by the setting that would fix it. */
export class DaemonStartError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'DaemonStartError';
  }
}
