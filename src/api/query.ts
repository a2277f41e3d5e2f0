// Query-string and path decoding with Go's net/url rules. URLSearchParams is lenient;
// moby handlers that call ParseForm answer 400 on what Go rejects, so we need both.
import {goPathUnescape, goQueryUnescape} from '../go/url.js'

export {goEscapePath} from '../go/url.js'

/**
 * url.PathUnescape / QueryUnescape: `%XX` decoded as bytes (then read as UTF-8), `+` is a
 * space only in query mode. Returns an Error carrying Go's text on a bad escape.
 */
export function goUnescape(s: string, query: boolean): string | Error {
  try {
    return query ? goQueryUnescape(s) : goPathUnescape(s)
  } catch (error) {
    return error as Error
  }
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
