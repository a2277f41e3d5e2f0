// A small Docker-like engine on a unix socket for the engine backend's tests (forward.test.ts,
// relay.test.ts): enough of the Engine API's shapes to exercise the forwarding paths.
import http from 'node:http'
import path from 'node:path'

import assert from 'node:assert/strict'

import type {ApiServerOptions} from '../../../../src/api/server.js'
import type {ApiContext} from '../../../../src/api/types.js'
import type {DaemonConfig} from '../../../../src/config/types.js'
import {createEnginePlugin} from '../../../../src/plugins/builtin/engine/index.js'
import {pluginHelpers} from '../../../../src/plugins/helpers.js'
import type {DockerdPlugin, PluginContext} from '../../../../src/plugins/types.js'
import {type Harness, startServer} from '../../api/helpers.js'

/** A plugin log that says nothing, and whose debug level is off (the front steps aside for debug logging). */
export const quietLog = {debug() {}, error() {}, info() {}, isLevelEnabled: () => false, warn() {}} as unknown as PluginContext['log']

/** What the engine plugin's start gets: `values` as the daemon's configuration. */
export function pluginContext(values: Record<string, unknown>): PluginContext {
  return {config: {values} as unknown as DaemonConfig, events: undefined as never, helpers: pluginHelpers, log: quietLog, platform: 'linux'}
}

/** The engine plugin, started with `--engine-host unix://<engineSock>`. */
export async function startEnginePlugin(engineSock: string): Promise<DockerdPlugin> {
  const plugin = createEnginePlugin()
  await plugin.start!(pluginContext({'engine-host': `unix://${engineSock}`}))
  return plugin
}

/** A daemon API server whose engine backend is the plugin's (a quiet log unless `ctx` says otherwise). */
export function engineServer(plugin: DockerdPlugin, options: ApiServerOptions, ctx: Partial<ApiContext> = {}): Promise<Harness> {
  const backend = plugin.engine!()
  assert.ok(backend)
  return startServer({engine: backend, log: quietLog, ...ctx} as never, options)
}

/** A plain request head: `GET <p>` with one Host and the `extra` header lines. */
export const getHead = (p: string, extra = ''): string => `GET ${p} HTTP/1.1\r\nHost: docker\r\n${extra}\r\n`

export interface Fake {
  dir: string
  sock: string
  server: http.Server
  /** Open live /events answers (without `until`). */
  live: Set<http.ServerResponse>
  seen: Array<{method: string; url: string; headers: http.IncomingHttpHeaders; body: string; conn?: number}>
  close(): Promise<void>
}

/** A small engine: enough of the Engine API's shapes to exercise the forwarding paths. */
export async function fakeEngine(sock: string): Promise<Fake> {
  const seen: Fake['seen'] = []
  const live = new Set<http.ServerResponse>()
  // Which connection each request came on.
  const conns = new WeakMap<object, number>()
  let connCount = 0
  const server = http.createServer((req, res) => {
    if (!conns.has(req.socket)) conns.set(req.socket, ++connCount)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      seen.push({body, conn: conns.get(req.socket), headers: req.headers, method: req.method ?? '', url: req.url ?? ''})
      const url = (req.url ?? '').split('?')[0]
      if (url === '/_ping') {
        res.writeHead(200, {'Api-Version': '1.41', 'Builder-Version': '1', 'Docker-Experimental': 'true', Server: 'Docker/20.10.24 (linux)', Swarm: 'inactive'})
        res.end(req.method === 'HEAD' ? undefined : 'OK')
      } else if (url.endsWith('/containers/json')) {
        res.writeHead(200, {'Content-Type': 'application/json', 'X-Upstream': 'yes', 'Keep-Alive': 'timeout=99', Connection: 'keep-alive, X-Secret-Hop', 'X-Secret-Hop': 'no'})
        res.end('[{"Id":"c1"}]\n')
      } else if (url.includes('/logs')) {
        res.writeHead(200, {'Content-Type': 'text/plain'})
        res.write('first\n')
        setTimeout(() => res.write('second\n'), 50)
        setTimeout(() => res.end('third\n'), 100)
      } else if (url.includes('/build')) {
        res.writeHead(200, {'Content-Type': 'application/json'})
        res.end(JSON.stringify({got: body.length, te: req.headers['transfer-encoding'] ?? '', cl: req.headers['content-length'] ?? ''}) + '\n')
      } else if (url.includes('/rawclose')) {
        // An answer framed by the end of the connection (the old attach form).
        res.socket!.end('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw bytes until the end')
      } else if (url.includes('/reset')) {
        res.writeHead(200, {'Content-Type': 'text/plain'})
        res.write('partial\n')
        setTimeout(() => res.socket?.destroy(), 30)
      } else if (url.includes('/version')) {
        res.writeHead(200, {'Content-Type': 'application/json'})
        res.end(JSON.stringify({Components: [{Details: {ApiVersion: '1.41'}, Name: 'Engine', Version: '20.10.24'}, {Name: 'containerd', Version: '1.6.20'}]}))
      } else if (url.includes('/info')) {
        res.writeHead(200, {'Content-Type': 'application/json'})
        res.end(JSON.stringify({Containers: 7, Driver: 'vfs', Images: 3, Name: 'upstream-name', Warnings: ['WARNING: upstream says hi']}))
      } else if (url.includes('/events')) {
        res.writeHead(200, {'Content-Type': 'application/json'})
        res.write(JSON.stringify({Action: 'start', Type: 'container', id: 'c1'}) + '\n')
        if ((req.url ?? '').includes('until')) res.end()
        else {
          live.add(res)
          res.on('close', () => live.delete(res))
        }
      } else {
        res.writeHead(404, {'Content-Type': 'application/json'})
        res.end('{"message":"page not found"}\n')
      }
    })
  })
  // attach: 101, then upper-cases what arrives; on the client's FIN it sends "bye" and closes.
  server.on('upgrade', (req, socket, head) => {
    seen.push({body: head.toString(), headers: req.headers, method: req.method ?? '', url: req.url ?? ''})
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n')
    socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()))
    socket.on('end', () => setTimeout(() => socket.end('bye\n'), 50))
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(sock, resolve))
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
    dir: path.dirname(sock),
    live,
    seen,
    server,
    sock,
  }
}

