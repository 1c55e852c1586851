/**
 * Text from an input file, made safe to put in a one-line error message: control characters, U+FFFD (what a
 * decoder makes of binary bytes) and lone surrogates are escaped (`\x00`, `\n`, `\ufffd`), and long text is cut
 * with its length noted, so a binary header or a megabyte-long field never reaches the terminal raw.
 */
export function printable(text: string, max = 60): string {
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n >= max) return `${out}… (${text.length.toLocaleString('en-US')} chars)`;
    out += escapeChar(ch);
    n++;
  }
  return out;
}

/** `printable` in double quotes, for values quoted inside a message. */
export function quoted(text: string, max = 60): string {
  return `"${printable(text, max)}"`;
}

function escapeChar(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c === 0x0a) return '\\n';
  if (c === 0x0d) return '\\r';
  if (c === 0x09) return '\\t';
  if (c === 0x5c) return '\\\\';
  if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return `\\x${c.toString(16).padStart(2, '0')}`;
  // U+FFFD (undecodable bytes), lone surrogates, BOM / zero-width and bidi controls, line and paragraph separators.
  if (
    c === 0xfffd ||
    (c >= 0xd800 && c <= 0xdfff) ||
    c === 0xfeff ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x2028 && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  ) {
    return `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return ch;
}
