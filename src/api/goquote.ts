// Go's %q formatting, needed because moby error texts embed quoted user input.

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u
const ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
}

function escapeRune(ch: string, quote: string): string {
  if (ch === quote || ch === '\\') return '\\' + ch
  if (PRINTABLE.test(ch)) return ch
  const esc = ESCAPES[ch]
  if (esc) return esc
  const cp = ch.codePointAt(0) ?? 0
  if (cp < 0x80) return '\\x' + cp.toString(16).padStart(2, '0')
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0')
  return '\\U' + cp.toString(16).padStart(8, '0')
}

export {goQuote} from '../opts/go.js'

/** `%q` of a byte (Go formats integers as single-quoted character literals). */
export function goQuoteByte(byte: number): string {
  return "'" + escapeRune(String.fromCodePoint(byte), "'") + "'"
}
