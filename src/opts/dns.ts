import {OptsError} from './errors.js'

const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[a-zA-Z0-9]$/.test(c)

/**
 * The `(...)` group of moby's domain regexp, checked without backtracking. The regexp writes its
 * non-capturing groups as `(:?`, so a `:` is accepted before/after each dot and up to two at the
 * start; we keep that quirk.
 */
function isDomainCore(s: string): boolean {
  let i = 0
  if (s[i] === ':') i++
  for (let first = true; ; first = false) {
    if (!first) {
      if (s[i] === ':') i++
      if (s[i] !== '.') return false
      i++
    }

    if (s[i] === ':') i++
    if (!isAlnum(s[i])) return false
    let j = i + 1
    while (j < s.length && (isAlnum(s[j]) || s[j] === '-')) j++
    if (s[j - 1] === '-') return false
    i = j
    if (i === s.length) return true
  }
}

/**
 * moby's ValidateDNSSearch: `.` or a domain (needs a letter; labels of letters, digits and inner
 * hyphens; under 255 characters; one trailing dot allowed). Spaces around the value are trimmed.
 * Returns the domain without its trailing dot. Error: `<v> is not a valid domain`.
 */
export function validateDNSSearch(value: string): string {
  const val = value.replace(/^ +| +$/g, '')
  if (val === '.') return val
  const fail = () => new OptsError(`${val} is not a valid domain`)
  if (!/[a-zA-Z]/.test(val)) throw fail()
  let core = val.replace(/[\t\n\f\r ]+$/, '')
  if (core.endsWith('.')) core = core.slice(0, -1)
  if (!isDomainCore(core) || core.length >= 255) throw fail()
  return core
}
