// `flarewatch check`: live diagnosis now — probe the Agent (DNS, connect, /info, a sample
// trace via PUT /v0.3/traces) and OTLP endpoints when OpenTelemetry is configured, read what
// tracer logs and the environment say, print findings. Exit 0 when the Agent accepts traces,
// 1 otherwise, 2 on usage errors: fit for a Kubernetes exec probe.
import { resolve } from 'node:path';
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, loadCliContext } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import { SOURCE_LABEL } from '../../config/load.js';
import { parseSeconds } from '../../config/values.js';
import {
  createStreamClassifier,
  createUnframer,
  lineTimestamp,
  loadUserRules,
  type LogFormat,
  type Rule,
} from '../../detect/index.js';
import { renderCheckReport, runCheck, type ClassifierFactory, type LogSourceLike } from '../../diagnose/index.js';
import { resolveLogSources } from '../../tracers/index.js';

const FORMATS: ReadonlySet<string> = new Set(['auto', 'plain', 'cri', 'docker-json']);

/** The detect stage's stream classifier behind the container-log unframer. */
function classifierFactory(rules: Rule[] | undefined): ClassifierFactory {
  return (hint, format) => {
    const unframer = createUnframer((format && FORMATS.has(format) ? format : 'auto') as LogFormat);
    const classifier = createStreamClassifier({ ...(hint ? { hint } : {}), ...(rules ? { rules } : {}) });
    return {
      push(raw) {
        const u = unframer.push(raw);
        // A partial CRI line is held back until its end arrives.
        if (!u) return { error: false, language: null, kind: null, target: null, status: null };
        return classifier.push(u.line);
      },
    };
  };
}

/** "500ms", "2s", "2" (seconds) → milliseconds. */
export function parseTimeout(text: string): number {
  const ms = /^\s*(\d+(?:\.\d+)?)\s*ms\s*$/i.exec(text);
  const value = ms ? Number(ms[1]) : (parseSeconds(text) ?? NaN) * 1000;
  if (!Number.isFinite(value) || value < 50 || value > 120_000) {
    throw new CliError(`--timeout "${text}" is not valid: expected a duration between 50ms and 120s (e.g. 500ms, 2s)`);
  }
  return Math.round(value);
}

export const command: CommandModule = {
  name: 'check',
  summary: 'live connectivity diagnosis of the Agent and OTLP endpoints (exit 0 when the Agent accepts traces)',
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
      .option('--log <path...>', 'extra tracer log files or directories to read');
    cmd.action(
      action(async (opts: Record<string, unknown>) => {
        const timeoutMs = parseTimeout(String(opts.timeout ?? '2s'));
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
        const result = await runCheck({
          agentUrl: cfg.agentUrl,
          agentSource,
          env: process.env,
          timeoutMs,
          sampleTrace: opts.sampleTrace !== false,
          logSources: sources,
          classifier: classifierFactory(rules),
          logHooks: { timeOf: lineTimestamp },
          bundleDir: cfg.bundleDir,
          neededBytes: cfg.maxBundleBytes,
          signal: deadline,
        });
        const ok =
          opts.sampleTrace === false ? result.evidence.agentProbes.some((p) => p.info?.status === 200) : result.ok;
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
            renderCheckReport({ ...result, ok }, { colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }),
          );
        }
        return ok ? EXIT.OK : EXIT.PROBLEMS;
      }),
    );
  },
};
