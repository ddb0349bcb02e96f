// prom-client, the one way flarewatch loads it: its parts, not its index.
//
// The package's index also loads its Pushgateway client (node:https, node:tls, node:zlib) and its
// cluster aggregator (node:cluster), which the daemon never uses; in a running daemon those
// modules held several MB of resident memory (see docs/benchmarks.md, "Memory, second pass"). The parts below
// are the same classes the index exports (prom-client has no `exports` map and ships them as
// files); their types come from the index.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const load = createRequire(import.meta.url);

export const Registry = load('prom-client/lib/registry') as typeof PromClient.Registry;
export const Counter = load('prom-client/lib/counter') as typeof PromClient.Counter;
export const Gauge = load('prom-client/lib/gauge') as typeof PromClient.Gauge;
export const collectDefaultMetrics = load('prom-client/lib/defaultMetrics') as typeof PromClient.collectDefaultMetrics;
export type Registry = PromClient.Registry;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
