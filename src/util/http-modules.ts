// node:http, node:https and node:tls, the one way flarewatch loads them.
//
// An ESM `import` of a built-in module builds a namespace of every export, and so reads each
// lazy getter. node:http's `WebSocket` getter (Node 22.4 and later) loads undici with its web
// streams and worker_threads: about 13 MB of resident memory in a daemon that never uses them.
// `require` hands back the module object without reading the getter.
//
// node:https and node:tls load on first use: only probing an https:// URL or uploading needs
// them, and a command such as `scan` should not pay for TLS at start-up.
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Tls from 'node:tls';

const requireBuiltin = createRequire(import.meta.url);

export const http = requireBuiltin('node:http') as typeof Http;

export function https(): typeof Https {
  return requireBuiltin('node:https') as typeof Https;
}

export function tls(): typeof Tls {
  return requireBuiltin('node:tls') as typeof Tls;
}
