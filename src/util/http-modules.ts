// node:http, node:https and node:tls, the one way flarewatch loads them.
//
// An ESM `import` of a built-in module builds a namespace of every export, and so reads each
// lazy getter. node:http's `WebSocket` getter (Node 22.4 and later) loads undici with its web
// streams and worker_threads: about 13 MB of resident memory in a daemon that never uses them.
// `process.getBuiltinModule` hands back the module object without reading the getter.
//
// node:https and node:tls load on first use: only probing an https:// URL or uploading needs
// them, and a command such as `scan` should not pay for TLS at start-up.
import type * as Https from 'node:https';
import type * as Tls from 'node:tls';

export const http = process.getBuiltinModule('node:http');

export function https(): typeof Https {
  return process.getBuiltinModule('node:https');
}

export function tls(): typeof Tls {
  return process.getBuiltinModule('node:tls');
}
