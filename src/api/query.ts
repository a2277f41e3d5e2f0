// Query-string and path decoding with Go's net/url rules. URLSearchParams is lenient;
// moby handlers that call ParseForm answer 400 on what Go rejects, so we need both.
import {goQuote} from './goquote.js'

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)

/**
 * url.PathUnescape / QueryUnescape: `%XX` decoded as bytes (then read as UTF-8), `+` is a
 * space only in query mode. Returns an Error carrying Go's text on a bad escape.
 */
export function goUnescape(s: string, query: boolean): string | Error {
  if (!s.includes('%') && !(query && s.includes('+'))) return s
  const src = Buffer.from(s, 'utf8')
  const out = Buffer.alloc(src.length)
  let j = 0
  for (let i = 0; i < src.length; i++) {
    const c = src[i]
    if (c === 0x25) {
      if (i + 2 >= src.length || !isHex(src[i + 1]) || !isHex(src[i + 2])) {
        const bad = src.subarray(i, Math.min(i + 3, src.length)).toString('latin1')
        return new Error(`invalid URL escape ${goQuote(bad)}`)
      }
      out[j++] = Number.parseInt(src.toString('latin1', i + 1, i + 3), 16)
      i += 2
    } else if (c === 0x2b && query) {
      out[j++] = 0x20
    } else {
      out[j++] = c
    }
  }
  return out.toString('utf8', 0, j)
}

/**
 * url.ParseQuery: every pair that decodes is kept; the first problem is reported
 * (`invalid semicolon separator in query`, `invalid URL escape "%zz"`).
 */
export function parseGoQuery(raw: string): {query: URLSearchParams; error?: string} {
  const query = new URLSearchParams()
  let error: string | undefined
  for (const part of raw.split('&')) {
    if (part === '') continue
    if (part.includes(';')) {
      error ??= 'invalid semicolon separator in query'
      continue
    }
    const eq = part.indexOf('=')
    const key = goUnescape(eq < 0 ? part : part.slice(0, eq), true)
    if (key instanceof Error) {
      error ??= key.message
      continue
    }
    const value = goUnescape(eq < 0 ? '' : part.slice(eq + 1), true)
    if (value instanceof Error) {
      error ??= value.message
      continue
    }
    query.append(key, value)
  }
  return {query, error}
}

// url.shouldEscape(c, encodePath): unreserved and `$&+,/:;=@` stay, everything else is %XX.
const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@]/

/** URL.EscapedPath for a path that has no valid raw form (what Go writes in redirects). */
export function goEscapePath(path: string): string {
  let out = ''
  for (const byte of Buffer.from(path, 'utf8')) {
    const ch = String.fromCharCode(byte)
    out += byte < 0x80 && PATH_SAFE.test(ch) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}
