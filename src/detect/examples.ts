// Which error lines may be shown as examples. Until the redaction engine is wired in,
// a line that looks like it carries a credential is withheld entirely; this is the one
// function to swap for the redactor.

const SECRET_LOOKING =
  /password|passwd|pwd=|secret|token|api[_-]?key|apikey|app[_-]?key|authorization|bearer |private[_-]?key|credential|cookie|session[_-]?id|x-api-key|dd-api-key|signature=|[a-z][a-z0-9+.-]{0,20}:\/\/[^\s/@:]{1,200}:[^\s/@]{1,200}@|AKIA[0-9A-Z]{16}|eyJ[\w-]{8,}\.[\w-]{8,}/i;

export const MAX_EXAMPLE_CHARS = 600;

/** The line to show as an example, or null when it must not be shown. */
export function exampleText(line: string): string | null {
  const capped = line.length > MAX_EXAMPLE_CHARS ? `${line.slice(0, MAX_EXAMPLE_CHARS)}…` : line;
  if (SECRET_LOOKING.test(line.length > 8192 ? line.slice(0, 8192) : line)) return null;
  return capped;
}
