// `flarewatch paths`: for every catalogue entry, where its logs and configuration are
// expected on this machine, what exists, how many files match, and which setting or
// default each location came from.
import { existsSync } from 'node:fs';
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, loadCliContext } from '../command.js';
import { EXIT } from '../exit.js';
import { resolveSourcesSync } from '../../sources/index.js';
import { activePlacements, CATALOGUE, resolveConfigFiles, resolveLogSources } from '../../tracers/index.js';

/** Files counted per location; a count cut here is reported as truncated. */
const PATHS_MAX_FILES = 10_000;

export interface PathsReport {
  platform: string;
  placements: Record<string, string>;
  tracers: {
    tracer: string;
    name: string;
    defaultSink: string;
    stdoutOnly: boolean;
    logs: {
      pattern: string;
      origin: string;
      format: string;
      exists: boolean;
      files: number;
      truncated: boolean;
    }[];
    configFiles: { path: string; format: string; origin: string; exists: boolean; neverCopy: boolean }[];
  }[];
}

export function buildPathsReport(env: Record<string, string | undefined>): PathsReport {
  const sources = resolveLogSources(env);
  const configs = resolveConfigFiles(env);
  return {
    platform: process.platform,
    placements: Object.fromEntries(activePlacements(env)),
    tracers: CATALOGUE.map((e) => ({
      tracer: e.key,
      name: e.name,
      defaultSink: e.defaultSink,
      stdoutOnly: e.stdoutOnly,
      logs: sources
        .filter((s) => s.tracer === e.key)
        .map((s) => {
          const g = resolveSourcesSync([s], { maxFiles: PATHS_MAX_FILES });
          return {
            ...s,
            exists: g.files.length > 0 || existsSync(s.pattern),
            files: g.files.length,
            truncated: g.limits.length > 0,
          };
        }),
      configFiles: configs
        .filter((c) => c.tracer === e.key)
        .map((c) => ({
          path: c.path,
          format: c.format,
          origin: c.origin,
          exists: existsSync(c.path),
          neverCopy: c.neverCopy === true,
        })),
    })),
  };
}

function render(r: PathsReport): string {
  const out: string[] = [
    `Platform: ${r.platform}; placements: ${Object.entries(r.placements)
      .filter(([k]) => k !== 'any')
      .map(([k, why]) => `${k} (${why})`)
      .join(', ')}`,
  ];
  for (const t of r.tracers) {
    out.push('', `${t.tracer} — ${t.name}`, `  default sink: ${t.defaultSink}`);
    if (t.stdoutOnly)
      out.push(
        '  writes to stdout/stderr by default: caught through the container entry, or a file you name (FLAREWATCH_LOG_DIRS)',
      );
    if (!t.logs.length) out.push('  logs: no file location applies here (no setting names one)');
    for (const l of t.logs) {
      const state = l.files
        ? `${l.files}${l.truncated ? '+' : ''} file(s)`
        : l.exists
          ? 'exists, no files'
          : 'does not exist';
      out.push(`  log    ${l.pattern}  [${state}]  from ${l.origin}${l.format !== 'plain' ? `, ${l.format}` : ''}`);
    }
    for (const c of t.configFiles) {
      out.push(
        `  config ${c.path}  [${c.exists ? 'exists' : 'does not exist'}]  from ${c.origin}${c.neverCopy ? ', never copied' : ''}`,
      );
    }
  }
  const found = r.tracers.reduce((n, t) => n + t.logs.filter((l) => l.files > 0).length, 0);
  out.push(
    '',
    found ? `${found} log location(s) hold files.` : 'None of the log locations hold files on this machine.',
  );
  return out.join('\n') + '\n';
}

export const command: CommandModule = {
  name: 'paths',
  summary: 'where tracer logs and configs are expected, and what exists',
  define(cmd) {
    addSettingFlags(cmd, 'meta').option('--json', 'machine-readable output');
    cmd.action(
      action((opts: Record<string, unknown>) => {
        loadCliContext(opts, { stderr: true });
        const report = buildPathsReport(process.env);
        process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : render(report));
        return EXIT.OK;
      }),
    );
  },
};
