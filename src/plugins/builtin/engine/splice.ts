// Bytes both ways between a client's hijacked connection and the upstream's, with half-close:
// `echo data | docker run -i` half-closes its side after stdin and keeps reading the output that
// follows (engine-api-proxy.md §3), so a FIN is passed on as end(), never as destroy().
import type {Duplex} from 'node:stream'

/** How long a side may take to flush what is queued for it once the other side has gone. */
export const SPLICE_LINGER_MS = 5_000

type Stream = Duplex & {allowHalfOpen?: boolean}

/**
 * Pipes `a` ⇄ `b` with backpressure. A FIN on one side ends the other's write side; when one side
 * closes (or fails), the other is ended gracefully (its queued bytes still go out) and destroyed
 * after SPLICE_LINGER_MS at most. `done` runs once both are closed, with the bytes moved.
 */
export function splice(a: Stream, b: Stream, done?: (bytes: {aToB: number; bToA: number}) => void): void {
  // A socket that is not allowed half-open ends its own write side on a FIN: the output that
  // follows the client's end of stdin would be lost.
  a.allowHalfOpen = true
  b.allowHalfOpen = true
  const bytes = {aToB: 0, bToA: 0}
  const pump = (from: Stream, to: Stream, count: 'aToB' | 'bToA'): void => {
    from.on('data', (chunk: Buffer) => {
      bytes[count] += chunk.length
      if (to.destroyed || to.writableEnded) return
      if (!to.write(chunk)) from.pause()
    })
    to.on('drain', () => from.resume())
    from.on('end', () => {
      if (!to.destroyed && !to.writableEnded) to.end()
    })
  }

  pump(a, b, 'aToB')
  pump(b, a, 'bToA')
  let open = 2
  const closed = (other: Stream) => () => {
    if (!other.destroyed) {
      if (!other.writableEnded) other.end()
      setTimeout(() => other.destroy(), SPLICE_LINGER_MS).unref()
    }

    if (--open === 0) done?.(bytes)
  }

  a.once('close', closed(b))
  b.once('close', closed(a))
  // Errors close the socket ('close' follows); without a listener they would be thrown.
  a.on('error', () => {})
  b.on('error', () => {})
  a.resume()
  b.resume()
}
