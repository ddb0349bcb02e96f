// prom-client, the one way flarewatch loads it: its parts, not its index.
//
// The package's index also loads its Pushgateway client (node:https, node:tls, node:zlib) and its
// cluster aggregator (node:cluster), which the daemon never uses; in a running daemon those
// modules held several MB of resident memory (see docs/benchmarks.md, "Memory, second pass").
// The parts below are the same classes the index exports (prom-client has no `exports` map and
// ships them as files); their types come from the index.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const load = createRequire(import.meta.url);

export const Registry = load('prom-client/lib/registry') as typeof PromClient.Registry;
export const Counter = load('prom-client/lib/counter') as typeof PromClient.Counter;
export const Gauge = load('prom-client/lib/gauge') as typeof PromClient.Gauge;
export type Registry = PromClient.Registry;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;

/** prom-client's default process collectors, each a file of its own, without its event-loop-lag one. */
const PROCESS_COLLECTORS = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
  'gc',
];

type Collector = (registry: Registry, config: { prefix: string }) => void;

/**
 * The process metrics of prom-client's collectDefaultMetrics, with `prefix`. Its event-loop-lag
 * collector keeps a native timer (monitorEventLoopDelay) that wakes the process at every sample,
 * at rest too; an idle daemon's CPU is mostly such wake-ups (see docs/benchmarks.md, "Idle").
 * The lag gauge here is measured when scraped instead: the time one turn of the loop takes.
 */
export function collectProcessMetrics(registry: Registry, prefix: string): void {
  for (const name of PROCESS_COLLECTORS) {
    if (name === 'processResources' && typeof process.getActiveResourcesInfo !== 'function') continue;
    (load(`prom-client/lib/metrics/${name}`) as Collector)(registry, { prefix });
  }
  new Gauge({
    name: `${prefix}nodejs_eventloop_lag_seconds`,
    help: 'Lag of event loop in seconds, measured when scraped.',
    registers: [registry],
    async collect() {
      const start = process.hrtime.bigint();
      await new Promise((resolve) => setImmediate(resolve));
      this.set(Number(process.hrtime.bigint() - start) / 1e9);
    },
  });
}
