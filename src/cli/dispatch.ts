// The `flarewatch` program: parses argv, runs one subcommand, maps every failure to the
// shared exit codes (configuration and usage errors → 2, never a stack trace).
// Start-up is part of every command's cost (`check` is a Kubernetes exec probe, `scan` is
// measured against grep): this module and program.ts import only commander and exit.ts,
// and each command's module graph is loaded when that command runs.
import { CommanderError } from 'commander';
import { CliError, EXIT, exitCodeOfLastAction } from './exit.js';
import { printableLine } from '../log/printable.js';
import { buildProgram } from './program.js';

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    // No command is a usage error: say what the commands are, on stderr, and exit 2.
    const program = await buildProgram(['--help']);
    process.stderr.write(program.helpInformation());
    process.stderr.write('flarewatch: a command is required (run, collect, check, …)\n');
    return EXIT.USAGE;
  }
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return exitCodeOfLastAction();
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here as "errors" with exit code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof CliError) {
      // Messages may quote a bundle's entry names or a file's bytes.
      process.stderr.write(`flarewatch: ${printableLine(err.message)}\n`);
      return err.exitCode;
    }
    // Only a command that loaded the configuration can throw this, so the import is free here.
    const { ConfigError } = await import('../config/load.js');
    if (err instanceof ConfigError) {
      process.stderr.write(`flarewatch: ${err.message}\n`);
      return EXIT.USAGE;
    }
    process.stderr.write(
      `flarewatch: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.USAGE;
  }
}
