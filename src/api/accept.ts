// Accept-header matching as moby's contenttype.MatchAcceptStrict (gddo's ParseAccept):
// only offers listed verbatim count, wildcards are ignored, highest q wins, ties go to the
// earlier offer. Used by GET /events to pick jsonl / x-ndjson / json-seq.

interface AcceptSpec {
  value: string
  q: number
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z/]/

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++
  return i
}

// gddo expectQuality: `0`, `1`, optionally `.digits`; anything else is invalid (-1).
function quality(s: string, i: number): [number, number] {
  if (s[i] !== '0' && s[i] !== '1') return [-1, i]
  let q = s[i] === '1' ? 1 : 0
  i++
  if (s[i] !== '.') return [q, i]
  i++
  let n = 0
  let d = 1
  while (i < s.length && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + (s.charCodeAt(i) - 48)
    d *= 10
    i++
  }
  q += n / d
  return [q, i]
}

/** gddo header.ParseAccept over one (comma-joined) header value. */
export function parseAccept(header: string): AcceptSpec[] {
  const specs: AcceptSpec[] = []
  let i = 0
  for (;;) {
    const start = i
    while (i < header.length && TOKEN.test(header[i])) i++
    if (i === start) return specs
    const spec: AcceptSpec = {value: header.slice(start, i), q: 1}
    i = skipSpace(header, i)
    if (header[i] === ';') {
      i = skipSpace(header, i + 1)
      // Parameters other than q end the parse of this header (as in gddo).
      if (!header.startsWith('q=', i)) return specs
      ;[spec.q, i] = quality(header, i + 2)
      if (spec.q < 0) return specs
    }
    specs.push(spec)
    i = skipSpace(header, i)
    if (header[i] !== ',') return specs
    i = skipSpace(header, i + 1)
  }
}

/** The best offer named explicitly in Accept, or '' (then the caller's default applies). */
export function matchAcceptStrict(accept: string | undefined, offers: readonly string[]): string {
  if (!accept) return ''
  const specs = parseAccept(accept)
  let best = ''
  let bestQ = -1
  for (const offer of offers) {
    for (const spec of specs) {
      if (spec.q === 0 || spec.value !== offer) continue
      if (spec.q > bestQ) {
        bestQ = spec.q
        best = offer
      }
    }
  }
  return best
}
