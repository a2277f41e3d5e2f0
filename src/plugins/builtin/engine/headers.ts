// Header handling shared by both forwarding paths: what stays behind at each hop.

/** Go's httputil.ReverseProxy hop-by-hop list (RFC 9110 §7.6.1 and the older proxy headers). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])
// Answered by this daemon's own HTTP server (100 Continue) before the request reached us.
const REQUEST_ONLY = new Set(['expect'])

/** Every field name (lower case) endToEndHeaders drops by default, whatever the Connection header says. */
export const DROPPED_FIELDS: readonly string[] = [...HOP_BY_HOP, ...REQUEST_ONLY]

/** Methods whose requests carry no body unless they say so (the others get `Content-Length: 0`, as Go sends). */
export const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'])

/**
 * rawHeaders (`[name, value, ...]`) without the hop-by-hop ones and those its Connection header
 * names. Names and order are kept as received.
 */
export function endToEndHeaders(raw: readonly string[], drop: ReadonlySet<string> = HOP_BY_HOP): string[] {
  let named: Set<string> | undefined
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      for (const token of raw[i + 1].split(',')) {
        const t = token.trim().toLowerCase()
        if (t) (named ??= new Set()).add(t)
      }
    }
  }

  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    if (drop.has(name) || REQUEST_ONLY.has(name) || named?.has(name)) continue
    out.push(raw[i], raw[i + 1])
  }

  return out
}
