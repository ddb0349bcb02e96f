// The command line: `flarewatch` and `collect-bundle`. One module per subcommand in
// commands/, loaded only when it runs; shared exit codes (0 ok, 1 problems, 2 usage).
export { main } from './main.js';
export { buildProgram, loadCommands, COMMAND_NAMES } from './program.js';
export { EXIT, CliError, type ExitCode } from './exit.js';
export type { CommandModule } from './command.js';
