// `flarewatch check`: live diagnosis now — read what the tracer logs say since --since
// (default one hour), probe the Agent (DNS, connect, /info, a sample trace via
// PUT /v0.3/traces) and every other target the logs and this environment name (OTLP
// endpoints in their own protocol), print findings opening with the most likely cause.
// Exit 0 when every endpoint in use delivers, 1 when an error-level finding stands, 2 on
// usage errors: fit for a Kubernetes exec probe.
import { resolve } from 'node:path';
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, loadCliContext } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import { SOURCE_LABEL } from '../../config/load.js';
import { parseSeconds } from '../../config/values.js';
import { lineTimestamp, loadUserRules, type Rule } from '../../detect/index.js';
import {
  DEFAULT_CHECK_SINCE_SECONDS,
  detectorClassifier,
  renderCheckReport,
  runCheck,
  type LogSourceLike,
} from '../../diagnose/index.js';
import { resolveLogSources } from '../../tracers/index.js';
import { discoverForCommand } from '../../discover/index.js';
import { harvestedRedactor } from '../../redact/index.js';

/** "500ms", "2s", "2" (seconds) → milliseconds. */
export function parseTimeout(text: string): number {
  const ms = /^\s*(\d+(?:\.\d+)?)\s*ms\s*$/i.exec(text);
  const value = ms ? Number(ms[1]) : (parseSeconds(text) ?? NaN) * 1000;
  if (!Number.isFinite(value) || value < 50 || value > 120_000) {
    throw new CliError(`--timeout "${text}" is not valid: expected a duration between 50ms and 120s (e.g. 500ms, 2s)`);
  }
  return Math.round(value);
}

/** "90m", "1h", "3600" (seconds) → seconds. */
export function parseSince(text: string): number {
  const s = parseSeconds(text);
  if (s === undefined || s <= 0 || s > 30 * 86400) {
    throw new CliError(`--since "${text}" is not valid: expected a duration up to 30d (e.g. 15m, 1h, 2d)`);
  }
  return s;
}

export const command: CommandModule = {
  name: 'check',
  summary: 'live diagnosis of every endpoint the tracers use (exit 0 when all deliver, 1 on an error finding)',
  define(cmd) {
    addSettingFlags(cmd)
      .option(
        '--timeout <duration>',
        'deadline for each network step (DNS, connect, each request); the whole check stays within about 4× this',
        '2s',
      )
      .option('--json', 'print the result as JSON (findings, evidence, ok)')
      .option('--no-sample-trace', 'do not send the sample trace (then exit 0 means /info answered)')
      .option('--no-logs', 'do not read tracer log files')
      .option(
        '--since <duration>',
        'count tracer log errors from this long ago (e.g. 15m, 1h, 2d)',
        `${DEFAULT_CHECK_SINCE_SECONDS / 3600}h`,
      )
      .option('--log <path...>', 'extra tracer log files or directories to read');
    cmd.action(
      action(async (opts: Record<string, unknown>) => {
        const timeoutMs = parseTimeout(typeof opts.timeout === 'string' ? opts.timeout : '2s');
        const sinceSeconds = parseSince(typeof opts.since === 'string' ? opts.since : '1h');
        const { loaded } = loadCliContext(opts, { stderr: true });
        const cfg = loaded.config;
        const agentSetting = loaded.settings.find((s) => s.spec.key === 'agentUrl');
        const agentSource =
          !agentSetting || agentSetting.source === 'default'
            ? (agentSetting?.note ?? 'default')
            : `${agentSetting.spec.env}, ${SOURCE_LABEL[agentSetting.source]}`;
        const sources: LogSourceLike[] = [];
        if (opts.logs !== false) {
          if (cfg.defaultPaths)
            for (const s of resolveLogSources(process.env))
              sources.push({ pattern: s.pattern, tracer: s.tracer, format: s.format });
          for (const p of cfg.logDirs) sources.push({ pattern: p });
          for (const p of (opts.log as string[] | undefined) ?? []) sources.push({ pattern: resolve(p) });
        }
        let rules: Rule[] | undefined;
        try {
          rules = cfg.rulesFile ? loadUserRules(cfg.rulesFile) : undefined;
        } catch (err) {
          throw new CliError(`FLAREWATCH_RULES_FILE: ${(err as Error).message}`);
        }
        // One overall deadline on top of the per-step ones: a probe must never hang.
        const deadline = AbortSignal.timeout(timeoutMs * 4 + 500);
        const processes = await discoverForCommand(cfg, harvestedRedactor(process.env));
        const result = await runCheck({
          processes,
          agentUrl: cfg.agentUrl,
          agentSource,
          env: process.env,
          timeoutMs,
          sampleTrace: opts.sampleTrace !== false,
          logSources: sources,
          classifier: detectorClassifier(rules),
          sinceSeconds,
          logHooks: { timeOf: lineTimestamp },
          bundleDir: cfg.bundleDir,
          neededBytes: cfg.maxBundleBytes,
          signal: deadline,
        });
        const ok = result.ok;
        if (opts.json) {
          process.stdout.write(
            JSON.stringify(
              {
                ok,
                agentUrl: cfg.agentUrl,
                agentSource,
                durationMs: Math.round(result.durationMs),
                findings: result.findings,
                evidence: result.evidence,
              },
              null,
              2,
            ) + '\n',
          );
        } else {
          process.stdout.write(
            renderCheckReport({ ...result, ok }, { colour: process.stdout.isTTY && !process.env.NO_COLOR }),
          );
        }
        return ok ? EXIT.OK : EXIT.PROBLEMS;
      }),
    );
  },
};
