// buildBundle: runs the collectors (each under its own deadline), fits their redacted output
// into the size budget by priority, writes manifest.json and SUMMARY.md, streams the zip into
// a private temp directory inside the bundle directory and renames it into place only when
// complete. On abort or a write error the temp directory is removed and nothing remains.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdtemp, open, rename, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/settings.js';
import { ensurePrivateDir } from '../config/dirs.js';
import type { Logger } from '../log/logger.js';
import { loadOrCreateFingerprintKey } from '../redact/index.js';
import { VERSION } from '../version.js';
import { collectLogs } from '../collect/collect-logs.js';
import {
  agentCollector,
  configCollector,
  environmentCollector,
  otlpCollector,
  systemCollector,
  type CollectFacts,
} from '../collect/collectors.js';
import type { AgentProbe } from '../collect/agent-probe.js';
import type { OtlpEndpointProbe } from '../collect/otlp-probe.js';
import type { CollectContext, Collector, LogProvider } from '../collect/context.js';
import { defaultDeps, type ConfigFileLike, type Env, type StageDeps } from '../collect/deps.js';
import {
  BundleAbortedError,
  abortReason,
  errorText,
  isFatalIoError,
  runCollector,
  throwIfAborted,
} from '../collect/run-collector.js';
import { Stage, defaultIo, type BundleIo } from '../collect/stage.js';
import { createRedactPool, defaultPoolSize } from '../collect/redact-pool.js';
import { recordingRedactor } from '../collect/recording-redactor.js';
import { PRIORITY, type BundleEntry, type CollectorStatus, type OmittedFile, type Redactor } from '../collect/types.js';
import { manifestFiles, MANIFEST_SCHEMA_VERSION, redactionSection, renderSummary, type Manifest } from './manifest.js';
import { bundleFileName, TEMP_PREFIX } from './name.js';
import { applyRetention, retentionPolicyFromConfig, type RetentionPolicy } from './retention.js';
import { writeZip, zipEntryOf } from './zip.js';
import { diagnosisEntries, type AgentSeriesPoint, type ErrorEventLike, type TriggerLike } from './diagnosis.js';
import { resolveAgentUrl } from '../config/agent-url.js';

export interface BundleProgress {
  phase: 'collect' | 'write' | 'done';
  step: string;
  done: number;
  total: number;
}

export interface ExtraEntry {
  path: string;
  content: string | Buffer;
  priority?: number;
}

export interface BuildBundleOptions {
  config: Config;
  reason: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** Only log files modified within this many seconds. */
  since?: number;
  maxBytes?: number;
  outputDir?: string;
  /** trigger.json (daemon), findings.json / summary.html (diagnosis): redacted like everything else. */
  extraEntries?: ExtraEntry[];
  logProvider?: LogProvider;
  onProgress?: (p: BundleProgress) => void;
  sampleTrace?: boolean;
  /** Extra log files/dirs/globs on top of the catalogue and FLAREWATCH_LOG_DIRS. */
  logDirs?: string[];
  /** Extra config files on top of the catalogue's. */
  configFiles?: ConfigFileLike[];
  /**
   * The trigger that fired (the daemon's record); its `signature` goes to manifest.trigger and
   * drives retention. Without it, a `trigger.json` extra entry is read instead.
   */
  trigger?: TriggerLike;
  /**
   * Called once the collectors are done (before the budget is applied), with what they found:
   * returns more entries, e.g. findings.json and summary.html built from the Agent probe.
   * A hook that throws is recorded as the "after-collect" collector's error.
   */
  afterCollect?: (facts: { agent?: AgentProbe; otlp?: OtlpEndpointProbe[] }) => Promise<ExtraEntry[]> | ExtraEntry[];
  /** Recent classified error events (the daemon's), for findings.json and summary.html. */
  errorEvents?: readonly ErrorEventLike[];
  /** Agent reachability over time (the daemon's periodic probes), for summary.html's chart. */
  agentSeries?: readonly AgentSeriesPoint[];
  /** findings.json and summary.html from the diagnosis stage (default true). */
  diagnosis?: boolean;
  /** Retention after the bundle is written (default: the configured policy); false to skip. */
  retention?: RetentionPolicy | false;
  isPinned?: (bundlePath: string) => boolean;
  // Seams, for tests and the daemon.
  env?: Env;
  redactor?: Redactor;
  deps?: Partial<StageDeps>;
  io?: BundleIo;
  procRoot?: string;
  rootDir?: string;
  agentDebugPort?: number;
  now?: () => number;
  hostname?: string;
  /** Redaction worker threads for logs (default: one per core, up to 4; 0 = none). */
  workers?: number;
  /** Use the workers only for at least this much log text (default 8 MiB). */
  parallelMinBytes?: number;
  /** At most this many log files (default 5,000; the most recently written are kept). */
  maxLogFiles?: number;
}

export interface BundleResult {
  path: string;
  bytes: number;
  sha256: string;
  manifest: Manifest;
}

export class BundleError extends Error {
  constructor(
    message: string,
    readonly code: 'ABORTED' | 'NO_SPACE' | 'IO',
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Manifest and summary are written last but must fit: keep room for them. */
const indexReserve = (maxBytes: number) => Math.min(256 * 1024, Math.floor(maxBytes / 4));

function fitByPriority(entries: BundleEntry[], room: number): { kept: BundleEntry[]; omitted: OmittedFile[] } {
  const sorted = [...entries].sort((a, b) => a.priority - b.priority || a.path.localeCompare(b.path));
  const kept: BundleEntry[] = [];
  const omitted: OmittedFile[] = [];
  let used = 0;
  for (const e of sorted) {
    if (used + e.bytes <= room) {
      kept.push(e);
      used += e.bytes;
    } else {
      omitted.push({ source: e.path, bytes: e.bytes, reason: 'bundle budget exhausted' });
    }
  }
  return { kept, omitted };
}

function redactExtra(redactor: Redactor, e: ExtraEntry): string {
  const text = typeof e.content === 'string' ? e.content : e.content.toString('utf8');
  if (/\.(json|ya?ml)$/i.test(e.path))
    return redactor.document(text, /\.json$/i.test(e.path) ? 'json' : 'yaml', e.path).output;
  return text
    .split('\n')
    .map((l) => redactor.text(l, e.path))
    .join('\n');
}

/**
 * The trigger signature comes from the daemon's raw trigger.json: the structured redaction
 * masks any key named like "signature", and retention needs the real value. It is an error
 * class plus a destination, still passed through the text rules.
 */
function triggerOf(extras: readonly ExtraEntry[], redactor: Redactor): Manifest['trigger'] | undefined {
  const t = extras.find((e) => e.path === 'trigger.json');
  if (!t) return undefined;
  try {
    const doc = JSON.parse(typeof t.content === 'string' ? t.content : t.content.toString('utf8')) as unknown;
    if (typeof doc !== 'object' || doc === null) return undefined;
    const d = doc as Record<string, unknown>;
    return {
      ...(typeof d.signature === 'string' ? { signature: redactor.text(d.signature, 'manifest.json') } : {}),
      ...(typeof d.rule === 'string' ? { rule: redactor.text(d.rule, 'manifest.json') } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Where the Agent address came from, for the findings' evidence. */
function agentUrlSource(env: Env): string {
  if (env.FLAREWATCH_AGENT_URL) return 'FLAREWATCH_AGENT_URL';
  return resolveAgentUrl(env, existsSync).source;
}

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Moves the finished zip to its final name without ever replacing another bundle: a hard
 * link fails if the name exists (two bundles in the same second), then the next suffix is
 * tried. Filesystems without hard links fall back to check-then-rename.
 */
async function publish(partial: string, dir: string, host: string, created: Date, reason: string): Promise<string> {
  for (let i = 0; ; i++) {
    const dest = join(dir, bundleFileName(host, created, reason, i));
    try {
      await link(partial, dest);
      await unlink(partial);
      return dest;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
      if (existsSync(dest)) continue;
      await rename(partial, dest);
      return dest;
    }
  }
}

export async function buildBundle(opts: BuildBundleOptions): Promise<BundleResult> {
  const { config, signal } = opts;
  const now = opts.now ?? Date.now;
  const created = new Date(now());
  const env = opts.env ?? process.env;
  const deps: StageDeps = { ...defaultDeps, ...opts.deps };
  const io = opts.io ?? defaultIo;
  const outputDir = opts.outputDir ?? config.bundleDir;
  const maxBytes = opts.maxBytes ?? config.maxBundleBytes;
  const hostname = opts.hostname ?? os.hostname();
  const progress = (phase: BundleProgress['phase'], step: string, done: number) =>
    opts.onProgress?.({ phase, step, done, total: 7 });

  throwIfAborted(signal);
  await ensurePrivateDir(outputDir, 'FLAREWATCH_BUNDLE_DIR');
  const tmp = await mkdtemp(join(outputDir, TEMP_PREFIX));
  try {
    const fingerprintKey =
      !opts.redactor && config.redactFingerprint ? await loadOrCreateFingerprintKey(config.stateDir) : undefined;
    const replacement = fingerprintKey ? ('fingerprint' as const) : ('mask' as const);
    const baseRedactor =
      opts.redactor ?? deps.createRedactor({ replacement, ...(fingerprintKey ? { fingerprintKey } : {}) });
    // Workers can rebuild only the stock redactor (by replaying what it learned).
    const canParallelize = !opts.redactor && deps.createRedactor === defaultDeps.createRedactor && opts.workers !== 0;
    const recording = canParallelize ? recordingRedactor(baseRedactor) : null;
    const redactor: Redactor = recording ?? baseRedactor;
    const redactPool = recording
      ? () => {
          const pool = createRedactPool(
            opts.workers ?? defaultPoolSize(),
            { replacement, ...(fingerprintKey ? { fingerprintKey } : {}), replay: [...recording.replay] },
            signal,
          );
          return {
            ...pool,
            finish: async () => {
              const counts = await pool.finish();
              for (const c of counts) recording.mergeCounts(c);
              return counts;
            },
          };
        }
      : undefined;
    const stage = new Stage(tmp, io);
    const facts: CollectFacts = {};
    const ctx: CollectContext = {
      config,
      env,
      redactor,
      deps,
      stage,
      procRoot: opts.procRoot ?? '/proc',
      rootDir: opts.rootDir ?? '/',
      sampleTrace: opts.sampleTrace ?? config.sampleTrace,
      logDirs: opts.logDirs ?? [],
      configFiles: opts.configFiles ?? [],
      ...(opts.since !== undefined ? { sinceSeconds: opts.since } : {}),
      ...(opts.logProvider ? { logProvider: opts.logProvider } : {}),
      ...(opts.agentDebugPort !== undefined ? { agentDebugPort: opts.agentDebugPort } : {}),
      ...(redactPool ? { redactPool } : {}),
      ...(opts.parallelMinBytes !== undefined ? { parallelMinBytes: opts.parallelMinBytes } : {}),
      ...(opts.maxLogFiles !== undefined ? { maxLogFiles: opts.maxLogFiles } : {}),
      now,
    };
    const timeoutMs = Math.round(config.collectorTimeout * 1000);
    const statuses: CollectorStatus[] = [];
    const run = async (name: string, collector: Collector, ms = timeoutMs) => {
      const s = await runCollector(name, ms, signal, (r) => collector(ctx, r));
      if (s.status !== 'ok') stage.seal(name);
      statuses.push(s);
      opts.logger?.[s.status === 'ok' ? 'debug' : 'warn'](`collector ${name}: ${s.status}`, {
        durationMs: s.durationMs,
        ...(s.error ? { error: s.error } : {}),
      });
      return s;
    };

    // The environment goes first: the secret values it harvests must be known to every later redaction.
    progress('collect', 'environment', 0);
    await run('environment', environmentCollector);
    progress('collect', 'agent, otel, config, system', 1);
    let finished = 1;
    await Promise.all(
      (
        [
          ['agent', agentCollector(facts)],
          ['otel', otlpCollector(facts)],
          ['config', configCollector],
          ['system', systemCollector],
        ] as const
      ).map(async ([name, c]) => {
        await run(name, c);
        progress('collect', name, ++finished);
      }),
    );
    // Before the extras are redacted: structured redaction would learn (harvest) the signature.
    const trigger = opts.trigger
      ? { signature: redactor.text(opts.trigger.signature, 'manifest.json') }
      : triggerOf(opts.extraEntries ?? [], redactor);
    const extras = [...(opts.extraEntries ?? [])];
    if (opts.afterCollect) {
      const hook = opts.afterCollect;
      await run('after-collect', async (_ctx, r) => {
        const more = await hook({
          ...(facts.agent ? { agent: facts.agent } : {}),
          ...(facts.otlp ? { otlp: facts.otlp } : {}),
        });
        if (r.signal.aborted) return;
        extras.push(...more);
      });
    }
    for (const e of extras) {
      stage.addContent(
        { path: e.path, priority: e.priority ?? PRIORITY.extra, collector: 'extra', source: 'flarewatch' },
        redactExtra(redactor, e),
      );
    }

    // Everything but logs, by priority; logs get what is left.
    const reserve = indexReserve(maxBytes);
    const fitted = fitByPriority(stage.entries, Math.max(0, maxBytes - reserve));
    const used = fitted.kept.reduce((n, e) => n + e.bytes, 0);
    const logRoom = Math.max(0, maxBytes - reserve - used);
    progress('collect', 'logs', finished);
    let logOmitted: OmittedFile[] = [];
    const logStatus = await runCollector('logs', Math.round(config.logCollectorTimeout * 1000), signal, async (r) => {
      logOmitted = await collectLogs({ ...ctx, onFile: (p) => progress('collect', `logs: ${p}`, finished) }, r, {
        totalBytes: logRoom,
        perFileBytes: config.maxLogFileBytes,
        maxLineChars: config.maxLineBytes,
      });
    });
    if (logStatus.status !== 'ok') stage.seal('logs');
    statuses.push(logStatus);
    throwIfAborted(signal);

    // Findings and the summary page come last: they link every other file of the bundle.
    const diagnosisOmitted: OmittedFile[] = [];
    if (opts.diagnosis !== false) {
      await run('diagnosis', async (_ctx, r) => {
        const listed = [...fitted.kept, ...stage.entries.filter((e) => e.collector === 'logs')];
        const pages = diagnosisEntries({
          ...(facts.agent ? { agent: facts.agent } : {}),
          agentSource: agentUrlSource(env),
          ...(facts.otlp ? { otlp: facts.otlp } : {}),
          env,
          ...(opts.errorEvents ? { errorEvents: opts.errorEvents } : {}),
          ...(opts.agentSeries ? { agentSeries: opts.agentSeries } : {}),
          ...(opts.trigger ? { trigger: opts.trigger } : {}),
          reason: opts.reason,
          files: [
            { path: 'manifest.json', bytes: 0 },
            { path: 'SUMMARY.md', bytes: 0 },
            ...listed.map((e) => ({ path: e.path, bytes: e.bytes })),
          ],
          bundleDir: outputDir,
          hostname,
          now: now(),
        });
        if (r.signal.aborted) return;
        let room = maxBytes - listed.reduce((n, e) => n + e.bytes, 0) - 32 * 1024;
        const taken = new Set(stage.entries.map((e) => e.path));
        // A caller-provided findings.json / summary.html (extra entries) wins.
        for (const p of pages.filter((x) => !taken.has(x.path))) {
          const text = redactExtra(redactor, p);
          const size = Buffer.byteLength(text);
          if (size > room) {
            diagnosisOmitted.push({ source: p.path, bytes: size, reason: 'bundle budget exhausted' });
            continue;
          }
          room -= size;
          stage.addContent(
            { path: p.path, priority: PRIORITY.extra + 1, collector: 'diagnosis', source: 'flarewatch diagnosis' },
            text,
          );
          r.counted();
        }
      });
    }

    const logEntries = stage.entries.filter((e) => e.collector === 'logs' || e.collector === 'diagnosis');
    // Names and free text in the index are redacted field by field (a harvested value can
    // appear in a host path or an error message); the manifest stays consistent with the zip.
    const rt = (t: string) => redactor.text(t, 'manifest.json');
    const entries = [...fitted.kept, ...logEntries]
      .map((e) => ({ ...e, path: rt(e.path), source: rt(e.source) }))
      .sort((a, b) => a.priority - b.priority || a.path.localeCompare(b.path));
    const omitted = [...fitted.omitted, ...logOmitted, ...diagnosisOmitted].map((o) => ({
      ...o,
      source: rt(o.source),
      reason: rt(o.reason),
    }));
    const order = ['environment', 'agent', 'otel', 'config', 'system', 'after-collect', 'logs', 'diagnosis'];
    statuses.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    for (const s of statuses) {
      if (s.error) s.error = rt(s.error);
      s.notes = s.notes.map(rt);
    }

    const base: Omit<Manifest, 'files'> = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      tool: { name: 'flarewatch', version: VERSION },
      bundleId: randomUUID(),
      createdAt: created.toISOString(),
      reason: opts.reason,
      host: { hostname, platform: os.platform(), kernel: `${os.type()} ${os.release()}` },
      ...(trigger ? { trigger } : {}),
      budget: { maxBytes, perLogFileBytes: config.maxLogFileBytes, contentBytes: 0 },
      ...(opts.since !== undefined ? { since: `${opts.since}s` } : {}),
      omitted,
      collectors: statuses,
      redaction: redactionSection(redactor.report()),
    };
    // SUMMARY.md is listed (and checksummed) in the manifest; the manifest cannot list itself.
    const summaryText = renderSummary({
      manifest: { ...base, files: manifestFiles(entries) },
      ...(facts.agent ? { agent: facts.agent } : {}),
      ...(facts.otlpReachable ? { otlp: facts.otlpReachable } : {}),
    });
    const summaryStage = new Stage(tmp, io);
    const summary = summaryStage.addContent(
      { path: 'SUMMARY.md', priority: PRIORITY.summary, collector: 'bundle', source: 'flarewatch' },
      redactor.text(summaryText, 'SUMMARY.md'),
    );
    const files = manifestFiles([summary, ...entries]);
    const manifest: Manifest = {
      ...base,
      files,
      budget: { ...base.budget, contentBytes: files.reduce((n, f) => n + f.bytes, 0) },
    };
    const manifestBuf = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');

    throwIfAborted(signal);
    progress('write', 'zip', finished + 1);
    const partial = join(tmp, 'bundle.zip.partial');
    const zipped = await writeZip(
      [{ path: 'manifest.json', content: manifestBuf }, ...[summary, ...entries].map(zipEntryOf)],
      partial,
      {
        io,
        date: created,
        ...(signal ? { signal } : {}),
      },
    );
    await fsyncFile(partial);
    throwIfAborted(signal);
    const dest = await publish(partial, outputDir, hostname, created, opts.reason);
    progress('done', dest, 7);
    opts.logger?.info('support bundle written', { path: dest, bytes: zipped.bytes, files: files.length + 1 });

    if (opts.retention !== false) {
      const policy = opts.retention ?? retentionPolicyFromConfig(config);
      try {
        await applyRetention(outputDir, policy, {
          ...(opts.isPinned ? { isPinned: opts.isPinned } : {}),
          now: now(),
          protect: [dest],
        });
      } catch (err) {
        opts.logger?.warn('retention pass failed', { error: errorText(err) });
      }
    }
    return { path: dest, bytes: zipped.bytes, sha256: zipped.sha256, manifest };
  } catch (err) {
    if (err instanceof BundleAbortedError || signal?.aborted || (err as Error).name === 'AbortError') {
      throw new BundleError(
        `bundle interrupted (${signal ? abortReason(signal) : 'aborted'}); the temporary directory was removed and no bundle was written`,
        'ABORTED',
      );
    }
    if (isFatalIoError(err)) {
      throw new BundleError(
        `no space left writing the bundle under ${outputDir} (${errorText(err)}); the temporary directory was removed and no bundle was written`,
        'NO_SPACE',
      );
    }
    throw new BundleError(
      `bundle failed: ${errorText(err)}; the temporary directory was removed and no bundle was written`,
      'IO',
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
