// The metrics API (`--metrics-addr`), as a built-in plugin: a Prometheus endpoint on its own TCP
// listener, like dockerd's `startMetricsServer` (cmd/dockerd/metrics.go). prom-client and the
// HTTP server are loaded only when an address is configured, so metrics cost nothing when off.
import type {Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {Counter, Histogram, Registry} from 'prom-client'

import {errnoText} from '../../daemon/dirs.js'
import {goJoinHostPort as joinHostPort, splitHostPort} from '../../go/net.js'
import type {FlagSet} from '../../options/types.js'
import type {DockerdPlugin, PluginContext, RequestObservation} from '../types.js'

/** moby's go-metrics namespace for the daemon (`metrics.NewNamespace("engine", "daemon", nil)`). */
export const METRICS_NAMESPACE = 'engine_daemon'
export const API_REQUESTS_TOTAL = `${METRICS_NAMESPACE}_api_requests_total`
export const API_REQUEST_DURATION = `${METRICS_NAMESPACE}_api_request_duration_seconds`

/** The `route` label of a request no route matched. */
export const UNMATCHED_ROUTE = 'unmatched'

interface Active {
  addr: string
  duration: Histogram<'method' | 'route' | 'status'>
  register: Registry
  requests: Counter<'method' | 'route' | 'status'>
  server: Server
}

let active: Active | undefined

/**
 * `host:port` (`[v6]:port`; an empty host listens on every interface, an empty port picks a free
 * one, as Go's net.Listen does). Throws with Go's wording.
 */
export function parseMetricsAddr(addr: string): {host: string; port: number} {
  const {host, port} = splitHostPort(addr)
  if (port !== '' && !/^\d+$/.test(port)) throw new Error(`address tcp/${port}: unknown port`)
  const n = port === '' ? 0 : Number(port)
  if (n > 65_535) throw new Error(`address ${port}: invalid port`)
  if (/\s/.test(host)) throw new Error(`address ${addr}: invalid host`)
  return {host, port: n}
}

/** Config-time check of `--metrics-addr` / `"metrics-addr"`: dockerd's error text or undefined. */
export function validateMetricsAddr(value: string): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  try {
    parseMetricsAddr(value)
    return undefined
  } catch (error) {
    return `invalid metrics-addr ${JSON.stringify(value)}: ${(error as Error).message} (expected host:port)`
  }
}

export const metricsFlags: FlagSet = {
  helpGroup: 'DAEMON',
  id: 'metrics',
  owner: 'dockerd',
  options: [
    {
      description: 'Set default address and port to serve the metrics api on',
      kind: 'string',
      name: 'metrics-addr',
      validate: validateMetricsAddr,
    },
  ],
}

async function startMetrics(ctx: PluginContext): Promise<void> {
  const addr = String(ctx.config.values['metrics-addr'] ?? '')
  if (addr === '' || active) return
  const fail = (msg: string): Error => new Error(`failed to start metrics server: ${msg}`)
  let target: {host: string; port: number}
  try {
    target = parseMetricsAddr(addr)
  } catch (error) {
    throw fail(`listen tcp: ${(error as Error).message}`)
  }

  const [prom, http] = await Promise.all([import('prom-client'), import('node:http')])
  const register = new prom.Registry()
  prom.collectDefaultMetrics({register})
  const labelNames = ['method', 'route', 'status'] as const
  const requests = new prom.Counter({help: 'The number of Engine API requests answered, by method, route and status', labelNames, name: API_REQUESTS_TOTAL, registers: [register]})
  const duration = new prom.Histogram({
    help: 'The number of seconds it takes to answer each Engine API request, by method, route and status',
    labelNames,
    name: API_REQUEST_DURATION,
    registers: [register],
  })

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, {'Content-Type': 'text/plain; charset=utf-8'}).end('404 page not found\n')
      return
    }

    register.metrics().then(
      (body) => {
        res.writeHead(200, {'Content-Type': register.contentType})
        res.end(req.method === 'HEAD' ? undefined : body)
      },
      (error: unknown) => {
        res.writeHead(500, {'Content-Type': 'text/plain; charset=utf-8'}).end(`${(error as Error).message}\n`)
      },
    )
  })
  server.on('clientError', (_error, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({host: target.host === '' ? undefined : target.host, port: target.port}, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((error: NodeJS.ErrnoException) => {
    register.clear()
    const bind = error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? `lookup ${target.host}: no such host` : `bind: ${errnoText(error)}`
    throw fail(`listen tcp ${addr}: ${bind}`)
  })

  // A scrape must never keep the daemon from exiting.
  server.unref()
  const a = server.address() as AddressInfo
  const bound = joinHostPort(a.address, a.port)
  active = {addr: bound, duration, register, requests, server}
  ctx.log.info(`metrics API listening on ${bound}`)
}

async function stopMetrics(): Promise<void> {
  const current = active
  active = undefined
  if (!current) return
  current.register.clear()
  await new Promise<void>((resolve) => {
    current.server.close(() => resolve())
    current.server.closeAllConnections()
  })
}

/** The address the metrics API listens on (after start), for tests and diagnostics. */
export function metricsAddress(): string | undefined {
  return active?.addr
}

export const metricsPlugin: DockerdPlugin = {
  flagSets: [metricsFlags],
  info: () => ({}),
  name: 'metrics',
  observing: () => active !== undefined,
  observe(o: RequestObservation) {
    if (!active) return
    try {
      const labels = {method: o.method, route: o.route || UNMATCHED_ROUTE, status: String(o.status)}
      active.requests.inc(labels)
      active.duration.observe(labels, Math.max(0, o.durationMs) / 1000)
    } catch {
      // Observers must never throw into the API server.
    }
  },
  shutdown: () => stopMetrics(),
  start: (ctx) => startMetrics(ctx),
}
