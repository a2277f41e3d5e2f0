// The connection front's relay to the engine (src/api/front.ts, src/plugins/builtin/engine/relay.ts)
// against the middleware list's forwarding: the same raw request streams sent to a server with the
// front and to one without get the same bytes back, whatever the front relays and whatever it hands
// over. A tap between the daemon and the fake engine records what went up, which shows which path
// a request took: the relay sends the client's head as it came, the list sends a rebuilt one.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'

import fc from 'fast-check'

import {withoutConnectionLine} from '../../../../src/api/front.js'
import type {DaemonConfig} from '../../../../src/config/types.js'
import type {DockerdPlugin, ReloadContext} from '../../../../src/plugins/types.js'
import {type Harness, writesExchange} from '../../api/helpers.js'
import {engineServer, type Fake, fakeEngine, getHead, pluginContext, startEnginePlugin} from './fake-engine.js'

/** A byte pipe in front of `target` that records what each connection sent up, and when it closed. */
interface Tap {
  sock: string
  conns: Array<{up: string; closed: boolean}>
  close(): Promise<void>
}

async function tap(sock: string, target: string): Promise<Tap> {
  const conns: Tap['conns'] = []
  const open = new Set<net.Socket>()
  const server = net.createServer((c) => {
    const rec = {closed: false, up: ''}
    conns.push(rec)
    const u = net.connect(target)
    open.add(c).add(u)
    c.on('data', (d: Buffer) => {
      rec.up += d.toString('latin1')
      u.write(d)
    })
    u.on('data', (d: Buffer) => c.write(d))
    c.on('end', () => u.end())
    u.on('end', () => c.end())
    c.on('close', () => {
      rec.closed = true
      u.destroy()
    })
    u.on('close', () => c.destroy())
    c.on('error', () => {})
    u.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(sock, resolve))
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy()
        server.close(() => resolve())
      }),
    conns,
    sock,
  }
}

/** A daemon API server forwarding to the plugin's engine, with or without the front. */
const daemon = (plugin: DockerdPlugin, front: boolean): Promise<Harness> => engineServer(plugin, {front})

/** Bounded wait for a condition the daemon makes true (the test's own timeout bounds it too). */
async function until(what: string, ok: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A keep-alive client connection that reads answers as they come. */
function client(socketPath: string): Promise<{sock: net.Socket; got: () => string; send(s: string): void; close(): void}> {
  return new Promise((resolve, reject) => {
    let got = ''
    const sock = net.connect(socketPath, () => resolve({close: () => sock.destroy(), got: () => got, send: (s) => sock.write(s), sock}))
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')))
    sock.on('error', reject)
  })
}

const GET = getHead
const LIST = GET('/v1.41/containers/json')
const PING = GET('/_ping')

// [name, the writes]: what the relay takes, what it leaves to the list, and mixes of both.
const STREAMS: [string, string[]][] = [
  ['a plain GET', [LIST]],
  ['HEAD', ['HEAD /v1.41/containers/json HTTP/1.1\r\nHost: docker\r\n\r\n']],
  ['a query', [GET('/v1.41/containers/json?all=1&filters=%7B%7D')]],
  ['no version prefix', [GET('/containers/json')]],
  ['the engine answers 404', [GET('/v1.41/nothing/here')]],
  ['consecutive requests in separate writes', [LIST, GET('/containers/json?n=2'), LIST]],
  ['pipelined in one read', [LIST + GET('/v1.41/nothing/here') + LIST]],
  ['a ping, then a relayed request', [PING, LIST]],
  ['a relayed request, then a ping', [LIST, PING]],
  ['a relayed request, then a daemon route', [LIST, GET('/version')]],
  ['a daemon route, then a relayed request', [GET('/version'), LIST]],
  ['a streamed answer', [GET('/v1.41/containers/c1/logs?follow=1')]],
  ['a streamed answer, a request pipelined behind it', [GET('/v1.41/containers/c1/logs?follow=1') + LIST]],
  ['an answer framed by the close', [GET('/v1.41/containers/c1/rawclose')]],
  ['an answer the engine cuts', [GET('/v1.41/containers/c1/reset')]],
  ['hop-by-hop fields in the request', [GET('/v1.41/containers/json', 'Keep-Alive: 5\r\nTE: trailers\r\n') + LIST]],
  ['Connection: keep-alive', [GET('/v1.41/containers/json', 'Connection: keep-alive\r\n'), LIST]],
  ['Connection: close', [GET('/v1.41/containers/json', 'Connection: close\r\n')]],
  ['a body', ['GET /v1.41/containers/json HTTP/1.1\r\nHost: docker\r\nContent-Length: 2\r\n\r\n{}', LIST]],
  ['POST', ['POST /v1.41/containers/c1/start HTTP/1.1\r\nHost: docker\r\n\r\n', LIST]],
  ['an escaped path', [GET('/v1.41/containers/a%2Fb/json'), LIST]],
  ['a non-canonical path', [GET('//v1.41/containers/json'), GET('/v1.41/./containers/json')]],
  ['absolute form', [GET('http://docker/v1.41/containers/json')]],
  ['HTTP/1.0', ['GET /v1.41/containers/json HTTP/1.0\r\n\r\n']],
  ['two Hosts', ['GET /v1.41/containers/json HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n']],
  ['a head split across writes', ['GET /v1.41/containers/json HTTP/1.1\r\nHo', 'st: docker\r\n\r\n', LIST]],
  ['a relayed request, then half a head', [LIST + 'GET /v1.41/containers/json HTTP/1.1\r\n']],
  ['bare LF', ['GET /v1.41/containers/json HTTP/1.1\nHost: docker\n\n']],
  ['a daemon route under the version prefix', [GET('/v1.41/version'), GET('/v1.41/_ping')]],
]

describe('the front relays plain engine requests', {timeout: 120_000}, () => {
  let dir: string
  let fake: Fake
  let up: Tap
  let plugin: DockerdPlugin
  let on: Harness
  let off: Harness

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-relay-'))
    fake = await fakeEngine(path.join(dir, 'engine.sock'))
    up = await tap(path.join(dir, 'tap.sock'), fake.sock)
    plugin = await startEnginePlugin(up.sock)
    on = await daemon(plugin, true)
    off = await daemon(plugin, false)
  })

  after(async () => {
    await on?.close()
    await off?.close()
    await plugin?.shutdown?.(pluginContext({}))
    await up?.close()
    await fake?.close()
    fs.rmSync(dir, {force: true, recursive: true})
  })

  // The fake engine's Date differs between two answers; the rest must not. The list's forwarding
  // of a request pipelined behind another answer goes through node:http's client, and node:http's
  // server then adds its own `Connection: keep-alive` and `Keep-Alive` (HTTP/1.1's default: no
  // change of meaning), which the fast path and the relay do not.
  const dates = (t: string): string => t.replace(/\r\nDate: [^\r]*/g, '\r\nDate: X').replace(/\r\nConnection: keep-alive\r\nKeep-Alive: timeout=\d+(?=\r\n)/g, '')

  async function same(parts: string[], what: string): Promise<string> {
    const [a, b] = await Promise.all([writesExchange(on.socketPath, parts), writesExchange(off.socketPath, parts)])
    assert.equal(dates(a), dates(b), what)
    return a
  }

  for (const [name, parts] of STREAMS) {
    test(name, async () => {
      await same(parts, name)
    })
  }

  test('a relayed head goes up as the client sent it; the list sends the head it rebuilt', async () => {
    const head = GET('/v1.41/containers/json?mark=relay', 'X-Spaced:   a  b \r\nuser-agent:Docker-Client/28.0.0\r\n')
    await same([head], 'spaced fields')
    const sent = up.conns.map((c) => c.up).filter((u) => u.includes('mark=relay'))
    assert.equal(sent.length, 2)
    assert.ok(sent.some((u) => u.includes(head)), 'the relay sent the bytes as received')
    assert.ok(sent.some((u) => u.includes('X-Spaced: a  b\r\nuser-agent: Docker-Client/28.0.0\r\n')), 'the list sent them rebuilt')
  })

  test("Node's and Python's `Connection: keep-alive` stays behind; the rest of the head goes up as sent", async () => {
    const head = GET('/v1.41/containers/json?mark=keepalive', 'Connection: keep-alive\r\nAccept:  */*\r\n')
    await same([head], 'keep-alive')
    const sent = up.conns.map((c) => c.up).filter((u) => u.includes('mark=keepalive'))
    assert.equal(sent.length, 2)
    assert.ok(sent.some((u) => u.includes(GET('/v1.41/containers/json?mark=keepalive', 'Accept:  */*\r\n'))), 'the relay: the head less its Connection line')
    assert.ok(sent.some((u) => u.includes('Host: docker\r\nAccept: */*\r\n\r\n')), 'the list: rebuilt without it')
    assert.ok(!sent.some((u) => /connection:/i.test(u.slice(u.indexOf('mark=keepalive')))))
  })

  test('withoutConnectionLine removes the one Connection line, whatever its case', () => {
    const cases: [string, string][] = [
      ['GET / HTTP/1.1\r\nHost: d\r\nConnection: keep-alive\r\n\r\n', 'GET / HTTP/1.1\r\nHost: d\r\n\r\n'],
      ['GET / HTTP/1.1\r\nconnection:keep-alive\r\nHost: d\r\n\r\n', 'GET / HTTP/1.1\r\nHost: d\r\n\r\n'],
      ['GET / HTTP/1.1\r\nX-Connection: a\r\nCONNECTION: Keep-Alive\r\nHost: d\r\n\r\n', 'GET / HTTP/1.1\r\nX-Connection: a\r\nHost: d\r\n\r\n'],
      ['GET /connection: HTTP/1.1\r\nHost: d\r\n\r\n', 'GET /connection: HTTP/1.1\r\nHost: d\r\n\r\n'],
    ]
    for (const [input, want] of cases) assert.equal(withoutConnectionLine(Buffer.from(input, 'latin1')).toString('latin1'), want, JSON.stringify(input))
  })

  test('one upstream connection per client connection, kept for its requests', async () => {
    const [a, b] = [await client(on.socketPath), await client(on.socketPath)]
    try {
      for (let i = 0; i < 3; i++) {
        for (const [name, c] of [['a', a], ['b', b]] as const) {
          c.send(GET(`/v1.41/containers/json?conn=${name}&i=${i}`))
          await until(`answer ${i} on ${name}`, () => (c.got().match(/\[\{"Id":"c1"\}\]\n/g) ?? []).length === i + 1)
        }
      }

      const mine = up.conns.filter((c) => c.up.includes('conn='))
      assert.equal(mine.length, 2, 'two client connections, two upstream connections')
      for (const c of mine) assert.equal(new Set([...c.up.matchAll(/conn=(\w)/g)].map((m) => m[1])).size, 1, 'each carries one client connection only')
    } finally {
      a.close()
      b.close()
    }
  })

  test('a client that leaves mid-answer: its upstream connection closes too', async () => {
    const c = await client(on.socketPath)
    c.send(GET('/v1.41/containers/c1/logs?follow=1&mark=leave'))
    await until('the first line', () => c.got().includes('first\n'))
    const rec = up.conns.find((u) => u.up.includes('mark=leave'))!
    assert.equal(rec.closed, false)
    c.close()
    await until('the upstream connection closed', () => rec.closed)
  })

  test('random streams of relayed and other requests get the same bytes', async () => {
    const GOOD = [LIST, PING, GET('/version'), GET('/v1.41/nothing/here'), GET('/v1.41/containers/c1/logs'), 'HEAD /containers/json HTTP/1.1\r\nHost: d\r\n\r\n', GET('/containers/json', 'Keep-Alive: 1\r\n')]
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...GOOD), {minLength: 1, maxLength: 5}), fc.array(fc.boolean(), {maxLength: 5}), async (pieces, joins) => {
        // Pieces joined into one write or sent apart, as the booleans say.
        const parts: string[] = []
        pieces.forEach((p, i) => (i > 0 && joins[i] ? (parts[parts.length - 1] += p) : parts.push(p)))
        await same(parts, JSON.stringify(parts))
      }),
      {numRuns: 25},
    )
  })
})

describe('the relay when the engine changes or fails', {timeout: 60_000}, () => {
  let dir: string

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-relay-2-'))
  })

  after(() => fs.rmSync(dir, {force: true, recursive: true}))

  test('after a reload names another engine, the same client connection goes to the new one', async () => {
    const one = await fakeEngine(path.join(dir, 'one.sock'))
    const two = await fakeEngine(path.join(dir, 'two.sock'))
    const plugin = await startEnginePlugin(one.sock)
    const h = await daemon(plugin, true)
    const c = await client(h.socketPath)
    try {
      c.send(GET('/v1.41/containers/json?n=1'))
      await until('the first answer', () => c.got().includes('[{"Id":"c1"}]'))
      const values = {'engine-host': `unix://${two.sock}`}
      await plugin.reload!({...pluginContext(values), changes: {applied: ['engine-host'], needRestart: []}, previous: {values: {}} as unknown as DaemonConfig} as ReloadContext)
      c.send(GET('/v1.41/containers/json?n=2'))
      await until('the second answer', () => (c.got().match(/\[\{"Id":"c1"\}\]/g) ?? []).length === 2)
      assert.ok(one.seen.some((s) => s.url.endsWith('n=1')))
      assert.ok(!one.seen.some((s) => s.url.endsWith('n=2')), 'the old engine got no request after the reload')
      assert.ok(two.seen.some((s) => s.url.endsWith('n=2')))
    } finally {
      c.close()
      await h.close()
      await plugin.shutdown?.(pluginContext({}))
      await one.close()
      await two.close()
    }
  })

  test('an engine that went away: the request is answered 502 as the list answers it', async () => {
    const fake = await fakeEngine(path.join(dir, 'gone.sock'))
    const plugin = await startEnginePlugin(fake.sock)
    const [on, off] = [await daemon(plugin, true), await daemon(plugin, false)]
    const c = await client(on.socketPath)
    try {
      c.send(LIST)
      await until('an answer while the engine is up', () => c.got().includes('[{"Id":"c1"}]'))
      await fake.close()
      const was = c.got().length
      c.send(LIST)
      await until('a second answer', () => /\r\n\r\n[^]*\n$/.test(c.got().slice(was)) && c.got().slice(was).includes('502'))
      const other = await writesExchange(off.socketPath, [LIST])
      const strip = (t: string): string => t.replace(/\r\nDate: [^\r]*/g, '')
      assert.equal(strip(c.got().slice(was)), strip(other))
      assert.match(other, /^HTTP\/1\.1 502 /)
    } finally {
      c.close()
      await on.close()
      await off.close()
      await plugin.shutdown?.(pluginContext({}))
    }
  })

  test('a graceful stop waits for an answer being relayed, then closes the connection', async () => {
    const fake = await fakeEngine(path.join(dir, 'stop.sock'))
    const plugin = await startEnginePlugin(fake.sock)
    const h = await daemon(plugin, true)
    const c = await client(h.socketPath)
    try {
      const closed = new Promise((r) => c.sock.once('close', r))
      c.send(GET('/v1.41/containers/c1/logs?follow=1'))
      await until('the first line', () => c.got().includes('first\n'))
      await h.close()
      await closed
      assert.ok(c.got().includes('third\n') && c.got().endsWith('0\r\n\r\n'), `the whole answer: ${JSON.stringify(c.got())}`)
    } finally {
      c.close()
      await plugin.shutdown?.(pluginContext({}))
      await fake.close()
    }
  })

  test('a client that does not read a large answer: the engine is not read further either', async () => {
    const sock = path.join(dir, 'big.sock')
    const MiB = 1024 * 1024
    let written = 0
    // An engine that answers pings and streams 64 MiB to anything else, heeding backpressure.
    const big = net.createServer((s) => {
      s.on('error', () => {})
      s.once('data', (d: Buffer) => {
        if (d.toString('latin1').startsWith('HEAD /_ping')) {
          s.end('HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 0\r\n\r\n')
          return
        }

        s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${64 * MiB}\r\n\r\n`)
        const block = Buffer.alloc(64 * 1024, 0x61)
        const pump = (): void => {
          while (written < 64 * MiB && !s.destroyed) {
            written += block.length
            if (!s.write(block)) {
              s.once('drain', pump)
              return
            }
          }
        }
        pump()
      })
    })
    await new Promise<void>((r) => big.listen(sock, r))
    const plugin = await startEnginePlugin(sock)
    const h = await daemon(plugin, true)
    const c = net.connect(h.socketPath)
    c.on('error', () => {})
    try {
      c.pause()
      await new Promise((r) => c.once('connect', r))
      c.write(GET('/v1.41/images/x/get'))
      await until('the engine started answering', () => written > 0)
      // Long enough for an unheeded stream to have pushed far more than the kernel buffers hold.
      await new Promise((r) => setTimeout(r, 1_000))
      assert.ok(written < 16 * MiB, `the engine wrote ${written} bytes to a client that reads none`)
    } finally {
      c.destroy()
      await h.close()
      await plugin.shutdown?.(pluginContext({}))
      await new Promise<void>((r) => big.close(() => r()))
    }
  })
})
