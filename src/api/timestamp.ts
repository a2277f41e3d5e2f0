// `since` / `until` parsing of GET /events, as moby's timestamp.ParseUnixTimestamp:
// `<seconds>[.<fraction>]`, fraction digits only, at most 20, truncated/padded to 9.
// RFC 3339 and durations are the client's business (the docker CLI converts them).
import {goQuote, goQuoteByte} from './goquote.js'

const INT64_MAX = 2n ** 63n - 1n

// strconv.ParseInt(s, 10, 64) reduced to what its error text needs: `invalid syntax` or
// `value out of range` (an overflow is reported as soon as it happens, like Go).
function parseInt64(s: string): bigint | 'invalid syntax' | 'value out of range' {
  let i = 0
  let neg = false
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-'
    i = 1
  }
  if (i >= s.length) return 'invalid syntax'
  let n = 0n
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return 'invalid syntax'
    n = n * 10n + BigInt(c - 48)
    if (n > INT64_MAX + 1n) return 'value out of range'
  }
  if (!neg && n > INT64_MAX) return 'value out of range'
  return neg ? -n : n
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
