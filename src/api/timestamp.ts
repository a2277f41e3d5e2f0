// `since` / `until` parsing of GET /events, as moby's timestamp.ParseUnixTimestamp:
// `<seconds>[.<fraction>]`, fraction digits only, at most 20, truncated/padded to 9.
// RFC 3339 and durations are the client's business (the docker CLI converts them).
import {GoNumError, type NumErr, parseGoIntBig} from '../go/strconv.js'
import {goQuote, goQuoteByte} from './goquote.js'

// strconv.ParseInt(s, 10, 64); moby wraps only its reason (`invalid syntax`, `value out of range`).
function parseInt64(s: string): bigint | NumErr {
  try {
    return parseGoIntBig(s, 10, 64)
  } catch (error) {
    if (error instanceof GoNumError) return error.err
    throw error
  }
}

/**
 * Unix nanoseconds of `value`, or undefined for "" (= not given).
 * Throws an Error whose message is moby's (`invalid timestamp "x": invalid seconds "x": invalid syntax`).
 */
export function parseUnixTimestamp(value: string): bigint | undefined {
  if (value === '') return undefined
  const fail = (why: string): never => {
    throw new Error(`invalid timestamp ${goQuote(value)}: ${why}`)
  }
  const dot = value.indexOf('.')
  const secText = dot < 0 ? value : value.slice(0, dot)
  let frac = dot < 0 ? '' : value.slice(dot + 1)
  const sec = parseInt64(secText)
  if (typeof sec === 'string') return fail(`invalid seconds ${goQuote(secText)}: ${sec}`)
  if (dot < 0 || frac === '' || frac === '000000000' || frac === '0') return sec * 1_000_000_000n

  // Go counts and reports bytes, not characters.
  const bytes = Buffer.from(frac, 'utf8')
  if (bytes.length > 20) return fail(`invalid nanoseconds: length ${bytes.length} exceeds maximum 20`)
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]
    if (c < 48 || c > 57) return fail(`invalid nanoseconds: invalid character ${goQuoteByte(c)} at position ${i}`)
  }
  frac = frac.length > 9 ? frac.slice(0, 9) : frac.padEnd(9, '0')
  return sec * 1_000_000_000n + BigInt(frac)
}

/** Current wall-clock time in Unix nanoseconds (ms from Date, sub-ms from the hrtime clock). */
export function nowUnixNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n)
}
