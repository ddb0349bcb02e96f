// Which file names count as logs inside a directory source. A glob source takes any name it
// matches; a directory source takes only these, so pointing flarewatch at /etc or /var/log
// can never sweep up shadow files, keys or auth databases.

/** .log, .txt, .json, .out, .err, each optionally followed by a rotation number (.1 … .9999). */
const LOG_LIKE = /\.(?:log|txt|json|out|err)(?:\.\d{1,4})?$/i;
/** Compressed rotations: listed (scan reads gzip) but never tailed or copied. */
const COMPRESSED = /\.(?:gz|zip|bz2|xz|zst|7z|tgz)$/i;

export function isLogLikeName(name: string): boolean {
  return LOG_LIKE.test(name);
}

export function isCompressedName(name: string): boolean {
  return COMPRESSED.test(name);
}
