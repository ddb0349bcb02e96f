// The tracer registry: one module per tracer, keyed by TracerKey so that adding a key
// without its module (or the reverse) is a compile error. Every per-tracer table is built
// from here: the catalogue, detection rules and line prefixes, language aliases, colours.
import { container } from './container.js';
import { cpp } from './cpp.js';
import { datadogAgent } from './datadog-agent.js';
import { dotnet } from './dotnet.js';
import { go } from './go.js';
import { java } from './java.js';
import { nodejs } from './nodejs.js';
import { otelCollector } from './otel-collector.js';
import { otelCpp } from './otel-cpp.js';
import { otelDotnet } from './otel-dotnet.js';
import { otelGo } from './otel-go.js';
import { otelJava } from './otel-java.js';
import { otelJs } from './otel-js.js';
import { otelPhp } from './otel-php.js';
import { otelPython } from './otel-python.js';
import { otelRuby } from './otel-ruby.js';
import { php } from './php.js';
import { python } from './python.js';
import { ruby } from './ruby.js';
import type { TracerEntry, TracerKey, TracerModule } from './types.js';

export const TRACERS: { readonly [K in TracerKey]: TracerModule<K> } = {
  java,
  python,
  ruby,
  go,
  nodejs,
  dotnet,
  php,
  cpp,
  'otel-java': otelJava,
  'otel-python': otelPython,
  'otel-js': otelJs,
  'otel-dotnet': otelDotnet,
  'otel-go': otelGo,
  'otel-ruby': otelRuby,
  'otel-php': otelPhp,
  'otel-cpp': otelCpp,
  'otel-collector': otelCollector,
  'datadog-agent': datadogAgent,
  container,
};

/**
 * The order rules and line prefixes are tried in. Where two tracers share a literal (both
 * Java exporters say "Failed to export"), the more specific wording comes first.
 */
export const DETECTION_ORDER: readonly TracerKey[] = [
  'java',
  'otel-java',
  'go',
  'otel-go',
  'ruby',
  'otel-ruby',
  'python',
  'otel-python',
  'nodejs',
  'otel-js',
  'dotnet',
  'otel-dotnet',
  'php',
  'otel-php',
  'cpp',
  'otel-cpp',
  'otel-collector',
  'datadog-agent',
  'container',
];

export const TRACER_KEYS = Object.keys(TRACERS) as TracerKey[];

export function isTracerKey(value: string): value is TracerKey {
  return Object.hasOwn(TRACERS, value);
}

/** The catalogue part of a module (paths, config files, env names), without detection data. */
const DETECTION_FIELDS: ReadonlySet<string> = new Set(['prefixes', 'aliases', 'rules', 'colour']);

export function catalogueOf(m: TracerModule): TracerEntry {
  return Object.fromEntries(Object.entries(m).filter(([k]) => !DETECTION_FIELDS.has(k))) as unknown as TracerEntry;
}

const ALIASES: ReadonlyMap<string, TracerKey> = new Map(
  TRACER_KEYS.flatMap((k) => [k, ...TRACERS[k].aliases].map((a) => [a.toLowerCase(), k] as const)),
);

/** The tracer a `lang` value or name stands for (`jvm` → java, `.NET` → dotnet), or null. */
export function languageAlias(value: string): TracerKey | null {
  return ALIASES.get(value.trim().toLowerCase()) ?? null;
}
