// Shared fixtures for the API tests: a real http.Server on a unix socket in a temp dir,
// driven by node:http clients. Every wait here is bounded.
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {EventBus} from '../../../src/api/events.js'
import {closeGracefully, createApiServer, serve, type ApiServerOptions} from '../../../src/api/server.js'
import {systemRoutes} from '../../../src/api/routes/system.js'
import {createRouter, type Router} from '../../../src/api/router.js'
import type {ApiContext} from '../../../src/api/types.js'

export const SERVER_VERSION = '1.2.3'

export interface LogLine {
  level: string
  msg: string
  fields?: Record<string, unknown>
}

export function makeContext(overrides: Partial<ApiContext> = {}): ApiContext & {lines: LogLine[]} {
  const lines: LogLine[] = []
  const ctx: ApiContext & {lines: LogLine[]} = {
    serverVersion: SERVER_VERSION,
    gitCommit: 'abc1234',
    os: 'linux',
    arch: 'amd64',
    minApiVersion: '1.24',
    maxApiVersion: '1.56',
    experimental: () => false,
    info: (v: string) => ({ID: 'ENGINE-ID', OSType: 'linux', ExperimentalBuild: false, AskedVersion: v}),
    events: new EventBus(),
    log: {
      debug: (msg, fields) => lines.push({level: 'debug', msg, fields}),
      info: (msg, fields) => lines.push({level: 'info', msg, fields}),
      error: (msg, fields) => lines.push({level: 'error', msg, fields}),
      isLevelEnabled: () => true,
    },
    lines,
    ...overrides,
  }
  return ctx
}

export interface Harness {
  dir: string
  socketPath: string
  ctx: ReturnType<typeof makeContext>
  server: http.Server
  router: Router
  listener: net.Server
  close(): Promise<void>
}

export async function startServer(
  ctxOverrides: Partial<ApiContext> = {},
  options: ApiServerOptions = {},
): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerd-api-test-'))
  const socketPath = path.join(dir, 'docker.sock')
  const ctx = makeContext(ctxOverrides)
  const router = createRouter(systemRoutes())
  const server = createApiServer(ctx, router, options)
  const listener = net.createServer()
  serve(server, listener)
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject)
    listener.listen(socketPath, resolve)
  })
  let closed = false
  return {
    dir,
    socketPath,
    ctx,
    server,
    router,
    listener,
    async close() {
      if (closed) return
      closed = true
      ctx.events.close()
      await closeGracefully(server, 1_000)
      fs.rmSync(dir, {recursive: true, force: true})
    },
  }
}

export interface Reply {
  status: number
  /** Header values by lower-case name, as node:http gives them. */
  headers: http.IncomingHttpHeaders
  /** Name/value pairs in wire order and case. */
  raw: [string, string][]
  body: string
}

export function request(
  socketPath: string,
  reqPath: string,
  opts: {method?: string; headers?: Record<string, string>; timeoutMs?: number} = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        path: reqPath,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: false,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const raw: [string, string][] = []
          for (let i = 0; i < res.rawHeaders.length; i += 2) raw.push([res.rawHeaders[i], res.rawHeaders[i + 1]])
          resolve({status: res.statusCode ?? 0, headers: res.headers, raw, body: Buffer.concat(chunks).toString('utf8')})
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** Sends bytes on a fresh connection and returns everything until the server closes (or the timeout). */
export function rawExchange(socketPath: string, data: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const sock = net.connect(socketPath, () => sock.write(data))
    const timer = setTimeout(() => {
      sock.destroy()
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString())}`))
    }, timeoutMs)
    sock.on('data', (c: Buffer) => chunks.push(c))
    sock.on('error', () => {})
    sock.on('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks).toString('latin1'))
    })
  })
}

/** A streaming GET: lines arrive through `next()`; `abort()` drops the connection. */
export interface Stream {
  status: number
  headers: http.IncomingHttpHeaders
  next(timeoutMs?: number): Promise<string>
  ended: Promise<void>
  abort(): void
}

export function openStream(socketPath: string, reqPath: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.request({socketPath, path: reqPath, headers, agent: false}, (res) => {
      req.setTimeout(0)
      let buf = ''
      const lines: string[] = []
      let waiter: ((line: string | undefined) => void) | undefined
      let finished = false
      let endResolve!: () => void
      const ended = new Promise<void>((r) => (endResolve = r))
      const deliver = (): void => {
        if (waiter && (lines.length > 0 || finished)) {
          const w = waiter
          waiter = undefined
          w(lines.shift())
        }
      }
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        buf += c
        let i: number
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i))
          buf = buf.slice(i + 1)
        }
        deliver()
      })
      const finish = (): void => {
        finished = true
        endResolve()
        deliver()
      }
      res.on('end', finish)
      res.on('close', finish)
      res.on('error', () => {})
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        ended,
        abort: () => req.destroy(),
        next: (timeoutMs = 3_000) =>
          new Promise<string>((res2, rej2) => {
            const t = setTimeout(() => {
              waiter = undefined
              rej2(new Error(`no event line within ${timeoutMs} ms`))
            }, timeoutMs)
            waiter = (line) => {
              clearTimeout(t)
              if (line === undefined) rej2(new Error('stream ended'))
              else res2(line)
            }
            deliver()
          }),
      })
    })
    req.on('error', reject)
    req.setTimeout(5_000, () => req.destroy(new Error('no response head within 5 s')))
    req.end()
  })
}

/** Resolves when `p` does, rejects after `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
    }),
  ])
}

/**
 * Sends `parts` as separate writes and returns every byte until the server closes, or until it has
 * been quiet for `quietMs` after the last write (a kept-alive connection, a head still awaited). No
 * half-close: node:http drops pipelined requests it has not answered yet when the client ends.
 */
export function writesExchange(socketPath: string, parts: string[], quietMs = 250): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let timer: NodeJS.Timeout | undefined
    const done = (): void => {
      clearTimeout(timer)
      sock.destroy()
      resolve(Buffer.concat(chunks).toString('latin1').replace(/\r\nDate: [^\r]*/g, '\r\nDate: X'))
    }
    let written = false
    const sock = net.connect(socketPath, async () => {
      for (const p of parts) {
        sock.write(Buffer.from(p, 'latin1'))
        // Separate writes arrive as separate reads (a head split across them goes to node:http).
        if (parts.length > 1) await new Promise((r) => setTimeout(r, 5))
      }
      written = true
      timer = setTimeout(done, quietMs)
    })
    sock.on('data', (c: Buffer) => {
      chunks.push(c)
      if (!written) return
      clearTimeout(timer)
      timer = setTimeout(done, quietMs)
    })
    sock.on('error', () => {})
    sock.on('close', done)
  })
}
