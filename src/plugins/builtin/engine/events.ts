// The upstream's `/events`, merged into each `/events` stream of this daemon. Live streams that ask
// the same (query, API version, media type) share one upstream request: 1,000 `docker events`
// clients are one upstream connection, not 1,000 (each with its socket, request and response
// objects). A stream with `since` or `until` replays history for itself and gets its own request.
import type {EngineBackend} from '../../../api/types.js'
import type {Upstream} from './upstream.js'

type EventsOptions = Parameters<EngineBackend['events']>[0]

/** One upstream `/events` request, line by line, until it ends or `signal` aborts; never rejects. */
function streamEvents(up: Upstream, path: string, accept: string | undefined, signal: AbortSignal, onLine: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const req = up.request({...up.options('GET', path), headers: accept ? {Accept: accept, Host: 'docker'} : {Host: 'docker'}, signal})
    req.on('error', (error) => {
      if (!signal.aborted) up.failed(error)
      resolve()
    })
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        resolve()
        return
      }

      // Whole lines only, so the upstream's events never interleave with ours mid-line.
      let partial = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        partial += chunk
        let nl = partial.indexOf('\n')
        while (nl >= 0) {
          onLine(partial.slice(0, nl + 1))
          partial = partial.slice(nl + 1)
          nl = partial.indexOf('\n')
        }
      })
      res.on('error', () => resolve())
      res.on('close', () => resolve())
    })
    req.end()
  })
}

interface Shared {
  up: Upstream
  abort: AbortController
  /** Each subscriber's line callback and what ends its wait. */
  subscribers: Map<object, {onLine(line: string): void; end(): void}>
}

/** The upstream events of one plugin instance: shared live streams by key. */
export class UpstreamEvents {
  private readonly shared = new Map<string, Shared>()

  /** Streams the upstream's events for one subscriber (see EngineBackend.events). */
  events(up: Upstream, {accept, onLine, rawQuery, signal, urlVersion}: EventsOptions): Promise<void> {
    if (signal.aborted) return Promise.resolve()
    const path = `${urlVersion ? `/v${urlVersion}` : ''}/events${rawQuery ? `?${rawQuery}` : ''}`
    const query = new URLSearchParams(rawQuery)
    if (query.has('since') || query.has('until')) return streamEvents(up, path, accept, signal, onLine)
    const key = `${path}\n${accept ?? ''}`
    let s = this.shared.get(key)
    if (!s || s.up !== up) {
      const entry: Shared = {abort: new AbortController(), subscribers: new Map(), up}
      s = entry
      this.shared.set(key, entry)
      void streamEvents(up, path, accept, entry.abort.signal, (line) => {
        for (const sub of entry.subscribers.values()) {
          try {
            sub.onLine(line)
          } catch {
            // One subscriber's failure must not stop the others' events.
          }
        }
      }).then(() => {
        if (this.shared.get(key) === entry) this.shared.delete(key)
        for (const sub of [...entry.subscribers.values()]) sub.end()
      })
    }

    const entry = s
    return new Promise<void>((resolve) => {
      const token = {}
      const end = (): void => {
        signal.removeEventListener('abort', leave)
        entry.subscribers.delete(token)
        resolve()
      }

      // The last subscriber to leave ends the upstream request.
      const leave = (): void => {
        end()
        if (entry.subscribers.size > 0) return
        if (this.shared.get(key) === entry) this.shared.delete(key)
        entry.abort.abort()
      }

      entry.subscribers.set(token, {end, onLine})
      signal.addEventListener('abort', leave, {once: true})
    })
  }
}
