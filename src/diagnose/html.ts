// Escaping for the generated HTML and SVG: every piece of evidence is untrusted log text.
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => MAP[c] ?? c);
}

/** An href that can only be http(s) or a relative path inside the bundle. */
export function safeHref(url: string): string {
  if (/^https?:\/\//i.test(url)) return esc(url);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//')) return '#';
  return esc(url.split('/').map(encodeURIComponent).join('/'));
}

export function hhmm(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 16);
}

export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
