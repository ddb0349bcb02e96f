// How the engine runs a rule's regex over a line: the same matches as the rule's own
// pattern (`pattern.exec` with `lastIndex = from`), found for less. Two costs are cut:
// - Named groups: V8 builds a `groups` object for every match of a pattern with names. The
//   matcher runs a copy of the pattern with the names taken out (plain numbered groups) and
//   tells where each named group is in the match array.
// - The key/value rule's key: a pattern that starts with a key (`[A-Za-z_$@]` then up to
//   `maxLength - 1` name characters, backtracking) is tried by the regex engine at every
//   position of every word of a line, and each try walks the rest of the word. A try that
//   fails at the start of a run of name characters fails at every later position of the run
//   too, as long as the run fits the key's length cap (a key starting later can end only
//   where one starting earlier could), so the run is skipped whole. Pure; no I/O.

/** A pattern that opens with a key: its first character, the rest, and the longest key. */
export interface KeyPrefix {
  /** Character class of a key's first character, e.g. `[A-Za-z_$@]`. */
  start: string;
  /** Character class of the key's other characters. */
  char: string;
  /** Longest key in characters, first one included. */
  maxLength: number;
}

export interface RuleMatcher {
  /** Where each named group of the pattern is in a match array from `exec`. */
  readonly groups: Readonly<Record<string, number>>;
  /**
   * The first match at or after `from`, as the pattern itself finds it from `lastIndex = from`
   * (same index, same groups), or null. The match array has numbered groups only.
   */
  exec(text: string, from: number): RegExpExecArray | null;
}

/**
 * The pattern's source with `(?<name>` turned into `(`, and each name's group number. Escapes
 * and character classes are stepped over; lookarounds and `(?:` are not groups. Named
 * back-references (`\k<name>`) would lose their group: such a pattern is refused.
 */
export function numberGroups(source: string): { source: string; groups: Record<string, number> } {
  if (source.includes('\\k<')) throw new Error(`named back-references are not supported: /${source}/`);
  const groups: Record<string, number> = {};
  let out = '';
  let count = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === '\\') {
      out += c + source.charAt(i + 1);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      if (source.charAt(i + 1) !== '?') {
        count++;
      } else if (source.charAt(i + 2) === '<' && !'=!'.includes(source.charAt(i + 3))) {
        const close = source.indexOf('>', i + 3);
        groups[source.slice(i + 3, close)] = ++count;
        out += '(';
        i = close;
        continue;
      }
    }
    out += c;
  }
  return { source: out, groups };
}

/**
 * Whether a UTF-16 code unit is in a character class, as a pattern with `flags` sees it: a
 * table for ASCII, the class itself (answers kept) for anything else.
 */
function charTest(cls: string, flags: string): (code: number) => boolean {
  const re = new RegExp(`^${cls}$`, flags);
  const known = new Uint8Array(0x10000); // 0 unknown, 1 no, 2 yes
  for (let c = 0; c < 128; c++) known[c] = re.test(String.fromCharCode(c)) ? 2 : 1;
  return (code) => {
    let k = known[code] ?? 0;
    if (k === 0) known[code] = k = re.test(String.fromCharCode(code)) ? 2 : 1;
    return k === 2;
  };
}

/** A matcher for `pattern` (which must have the `g` flag); `key` when it opens with a key. */
export function createRuleMatcher(pattern: RegExp, key?: KeyPrefix): RuleMatcher {
  const { source, groups } = numberGroups(pattern.source);
  const flags = pattern.flags.replace(/[gy]/g, '');
  if (!key) {
    const re = new RegExp(source, flags + 'g');
    return {
      groups,
      exec(text, from) {
        re.lastIndex = from;
        return re.exec(text);
      },
    };
  }
  const sticky = new RegExp(source, flags + 'y');
  const isStart = charTest(key.start, flags);
  const isChar = charTest(key.char, flags);
  return {
    groups,
    exec(text, from) {
      const n = text.length;
      let pos = from;
      // End of the run of name characters the last try started in. A later start inside the
      // run ends it at the same place (every such start is a name character too), so a run
      // longer than the cap, tried position by position, is measured once, not once per try.
      let runEnd = -1;
      for (;;) {
        let start = pos;
        while (start < n && !isStart(text.charCodeAt(start))) start++;
        if (start >= n) return null;
        sticky.lastIndex = start;
        const m = sticky.exec(text);
        if (m) return m;
        if (start >= runEnd) {
          runEnd = start + 1;
          while (runEnd < n && isChar(text.charCodeAt(runEnd))) runEnd++;
        }
        // Past the cap a key starting later reaches further: try the next position then.
        pos = runEnd - start <= key.maxLength ? runEnd : start + 1;
      }
    },
  };
}
