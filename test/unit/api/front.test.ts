// The connection front (src/api/front.ts) against node:http: the same raw request streams sent to a
// server with the front and to one without must get the same bytes back (Date apart), whatever the
// front answers itself and whatever it hands over. A table of the known tricky streams, then
// fast-check streams assembled from well-formed and malformed pieces.
import assert from 'node:assert/strict'
import net from 'node:net'
import {after, before, describe, test} from 'node:test'

import fc from 'fast-check'

import {connectionCount} from '../../../src/api/server.js'
import {type Harness, writesExchange as exchange, startServer} from './helpers.js'

// The front steps aside while debug lines are logged: these servers log at info.
const quiet = {log: {debug: () => {}, info: () => {}, error: () => {}, isLevelEnabled: () => false}}

const PING = 'GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n'
const HEAD_PING = 'HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n'

// [name, the writes]
const STREAMS: [string, string[]][] = [
  ['GET /_ping', [PING]],
  ['HEAD /_ping', [HEAD_PING]],
  ['pipelined pings', [PING + HEAD_PING + PING]],
  ['ping, then a route node:http serves, then a ping', [PING + 'GET /version HTTP/1.1\r\nHost: d\r\n\r\n' + PING]],
  ['pings in separate writes', [PING, HEAD_PING, PING]],
  ['a head split across writes', ['GET /_ping HTTP/1.1\r\nHo', 'st: d\r\n\r\n']],
  ['ping then half a head', [PING + 'GET /_ping HTTP/1.1\r\n']],
  ['HTTP/1.0 ping', ['GET /_ping HTTP/1.0\r\n\r\n']],
  ['HTTP/1.0 keep-alive ping', ['GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' + PING]],
  ['Connection: close', ['GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n' + PING]],
  ['Connection: keep-alive', ['GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: keep-alive\r\n\r\n' + PING]],
  ['Connection: Keep-Alive, in separate reads', ['HEAD /_ping HTTP/1.1\r\nconnection: Keep-Alive\r\nHost: d\r\n\r\n', PING]],
  ['two Connection: keep-alive', ['GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: keep-alive\r\nConnection: keep-alive\r\n\r\n' + PING]],
  ['Connection: keep-alive, Upgrade', ['GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: keep-alive, Upgrade\r\nUpgrade: x\r\n\r\n']],
  ['Expect: 100-continue', ['GET /_ping HTTP/1.1\r\nHost: d\r\nExpect: 100-continue\r\n\r\n']],
  ['no Host', ['GET /_ping HTTP/1.1\r\n\r\n']],
  ['two Hosts', ['GET /_ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n']],
  ['empty Host', ['GET /_ping HTTP/1.1\r\nHost:\r\n\r\n' + PING]],
  ['lower-case host', ['GET /_ping HTTP/1.1\r\nhost: d\r\nuser-agent: x\r\n\r\n' + PING]],
  ['CL and TE', ['GET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + PING]],
  ['duplicate Content-Length', ['GET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab' + PING]],
  ['a body on a ping', ['GET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\n\r\nabcd' + PING]],
  ['a bad chunk size', ['POST /_ping HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']],
  ['TE gzip', ['GET /_ping HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip\r\n\r\n']],
  ['obs-fold', ['GET /_ping HTTP/1.1\r\nHost: d\r\nX-A: a\r\n  folded\r\n\r\n' + PING]],
  ['bare LF', ['GET /_ping HTTP/1.1\nHost: d\n\n' + PING]],
  ['bare LF inside a head', ['GET /_ping HTTP/1.1\r\nHost: d\nX: y\r\n\r\n']],
  ['lone CR', ['GET /_ping HTTP/1.1\r\nHost: d\rX: y\r\n\r\n']],
  ['a space before the colon', ['GET /_ping HTTP/1.1\r\nHost : d\r\n\r\n']],
  ['an upgrade', ['GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n']],
  ['POST /_ping', ['POST /_ping HTTP/1.1\r\nHost: d\r\n\r\n']],
  ['versioned ping', ['GET /v1.41/_ping HTTP/1.1\r\nHost: d\r\n\r\n' + PING]],
  ['out-of-range version', ['GET /v1.2/_ping HTTP/1.1\r\nHost: d\r\n\r\n' + PING]],
  ['a query', ['GET /_ping?x=1 HTTP/1.1\r\nHost: d\r\n\r\n' + PING]],
  ['absolute form', ['GET http://d/_ping HTTP/1.1\r\nHost: d\r\n\r\n' + PING]],
  ['non-canonical path', ['GET //_ping HTTP/1.1\r\nHost: d\r\n\r\n' + PING]],
  ['OPTIONS *', ['OPTIONS * HTTP/1.1\r\nHost: d\r\n\r\n' + PING]],
  ['forty headers', ['GET /_ping HTTP/1.1\r\nHost: d\r\n' + Array.from({length: 40}, (_, i) => `X-${i}: ${i}\r\n`).join('') + '\r\n' + PING]],
  ['a bad method', ['G@T /_ping HTTP/1.1\r\nHost: d\r\n\r\n']],
  ['HTTP/2 preface', ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']],
  ['garbage', ['\x00\x01\x02\r\n\r\n']],
  ['leading empty lines', ['\r\n\r\n' + PING]],
  ['a NUL in a value', ['GET /_ping HTTP/1.1\r\nHost: d\r\nX: a\x00b\r\n\r\n']],
  ['nothing', ['']],
]

describe('the connection front against node:http', {timeout: 120_000}, () => {
  let on: Harness
  let off: Harness
  before(async () => {
    on = await startServer(quiet, {front: true})
    off = await startServer(quiet, {front: false})
  })
  after(async () => {
    await on?.close()
    await off?.close()
  })

  /** The bytes both servers answer `parts` with; asserts they are the same. */
  async function same(parts: string[], what: string, normalize = (t: string) => t): Promise<string> {
    const [a, b] = await Promise.all([exchange(on.socketPath, parts), exchange(off.socketPath, parts)])
    assert.equal(normalize(a), normalize(b), what)
    return a
  }

  // With a malformed request (or any bytes after a request that closes the connection) after others
  // in the same read, node:http itself answers differently
  // depending on how it got the bytes. Reading straight from the socket's handle (a fresh
  // connection), it runs its ticks between parser callbacks: the earlier answers finish, then its raw
  // error text goes out. Bytes handed over by the front arrive as one 'data' event, as on TLS
  // connections: the first answer is still in flight when the parser fails, so the later answers and
  // the error text are dropped and the connection closes. Either way the bad request is refused and
  // the connection closes; the answers given are the same up to where one side stopped.
  const withoutRawError = (t: string): string => t.replace(/HTTP\/1\.1 (400|431|501) [^\r]*\r\nContent-Type: text\/plain; charset=utf-8\r\nConnection: close\r\n\r\n[^]*$/, '')

  for (const [name, parts] of STREAMS) {
    test(name, async () => {
      await same(parts, name)
    })
  }

  test('the front answers pings itself, with the route bytes', async () => {
    const text = await same([PING + HEAD_PING], 'ping')
    assert.match(text, /^HTTP\/1\.1 200 OK\r\nApi-Version: 1\.56\r\n[^]*Content-Length: 2\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nOKHTTP\/1\.1 200 OK\r\n[^]*Content-Length: 0\r\n/)
  })

  const GOOD = [
    PING,
    HEAD_PING,
    'GET /version HTTP/1.1\r\nHost: d\r\n\r\n',
    'GET /_ping HTTP/1.0\r\n\r\n',
    'GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n',
    'GET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\nab',
    'GET /_ping HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n',
    'GET /nope HTTP/1.1\r\nHost: d\r\n\r\n',
    'GET /_ping?a=1 HTTP/1.1\r\nHost: d\r\nX-A: 1\r\n\r\n',
  ]
  const CLOSING = [GOOD[3]!, GOOD[4]!]
  const BAD = [
    'GET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
    'GET /_ping HTTP/1.1\nHost: d\n\n',
    'GET /_ping HTTP/1.1\r\nHost: d\r\n x\r\n\r\n',
    'GET /_ping HTTP/1.1\r\n\r\n',
    '\r\n',
    'X',
  ]
  const split = (stream: string, cut: boolean): string[] => (cut && stream.length > 1 ? [stream.slice(0, stream.length >> 1), stream.slice(stream.length >> 1)] : [stream])

  test('random streams of well-formed requests get the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...GOOD), {minLength: 1, maxLength: 6}), fc.boolean(), async (pieces, cut) => {
        // Bytes after a request that closes the connection are a client's error (the next test).
        const last = pieces.findIndex((p) => CLOSING.includes(p))
        const parts = split(pieces.slice(0, last < 0 ? undefined : last + 1).join(''), cut)
        await same(parts, JSON.stringify(parts))
      }),
      {numRuns: 40},
    )
  })

  test('random streams with malformed pieces: the same answers up to the refusal', async () => {
    const noise = fc.string({maxLength: 12}).map((s) => s.replace(/[^\x00-\xff]/g, ''))
    const piece = fc.oneof({weight: 3, arbitrary: fc.constantFrom(...GOOD)}, {weight: 2, arbitrary: fc.constantFrom(...BAD)}, {weight: 1, arbitrary: noise})
    await fc.assert(
      fc.asyncProperty(fc.array(piece, {minLength: 1, maxLength: 6}), fc.boolean(), async (pieces, cut) => {
        const parts = split(pieces.join(''), cut)
        const [a, b] = (await Promise.all([exchange(on.socketPath, parts), exchange(off.socketPath, parts)])).map(withoutRawError)
        const [short, long] = a.length <= b.length ? [a, b] : [b, a]
        assert.ok(long.startsWith(short), `${JSON.stringify(parts)}:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`)
        // Whoever stopped early stopped between two answers.
        assert.ok(long.length === short.length || long.startsWith('HTTP/1.1 ', short.length))
      }),
      {numRuns: 60},
    )
  })

  test('a client that pipelines pings and never reads is not read further: the buffers push back', {timeout: 20_000}, async () => {
    const MiB = 1024 * 1024
    // What a client can push before its writes stall for good (at most `limit` bytes or 5 s).
    const pushed = (socketPath: string, limit = 32 * MiB): Promise<number> =>
      new Promise((resolve) => {
        // 64-byte pings in 4 KiB writes: every read the server makes holds whole heads only, so the
        // front keeps the connection (a head cut by a read would hand it to node:http).
        const ping = `GET /_ping HTTP/1.1\r\nHost: ${'d'.repeat(33)}\r\n\r\n`
        const block = Buffer.from(ping.repeat(4096 / ping.length), 'latin1')
        const sock = net.connect(socketPath)
        sock.pause()
        sock.on('error', () => {})
        let sent = 0
        let stall: NodeJS.Timeout | undefined
        const stop = (): void => {
          clearTimeout(stall)
          clearTimeout(cap)
          sock.destroy()
          resolve(sent)
        }
        const cap = setTimeout(stop, 5000)
        const pump = (): void => {
          clearTimeout(stall)
          while (sent < limit) {
            sent += block.length
            if (!sock.write(block)) {
              stall = setTimeout(stop, 500)
              sock.once('drain', pump)
              return
            }
          }
          stop()
        }
        sock.on('connect', pump)
      })
    const [front, plain] = [await pushed(on.socketPath), await pushed(off.socketPath)]
    assert.ok(front < 16 * MiB, `the front read ${front} bytes of pings nobody read the answers to`)
    assert.ok(plain < 16 * MiB, `node:http read ${plain} bytes`)
    // Still answering everyone else.
    assert.match(await exchange(on.socketPath, [PING]), /^HTTP\/1\.1 200 OK\r\n/)
  })

  test('a silent connection is closed after headersTimeout, a kept-alive one after keepAliveTimeout, as by node:http', {timeout: 10_000}, async () => {
    for (const front of [true, false]) {
      const h = await startServer(quiet, {connectionsCheckingInterval: 50, front, headersTimeout: 300, keepAliveTimeout: 300})
      try {
        for (const data of ['', PING]) {
          const s = net.connect(h.socketPath, () => s.write(data))
          s.on('error', () => {})
          // Read, or the close is never seen.
          s.resume()
          // Bounded: the test's own timeout fails it if the connection stays open.
          await new Promise((r) => s.once('close', r))
        }
      } finally {
        await h.close()
      }
    }
  })

  test('connections the front holds are counted and closed by a graceful stop', async () => {
    const h = await startServer(quiet, {front: true})
    const sock = net.connect(h.socketPath)
    sock.on('error', () => {})
    const answered = new Promise((r) => sock.once('data', r))
    sock.write(PING)
    await answered
    assert.equal(connectionCount(h.server), 1)
    const closed = new Promise((r) => sock.once('close', r))
    await h.close()
    await closed
  })

  test('a plugin middleware, an observer or an authorization plugin keeps every request on the list', async () => {
    const seen: string[] = []
    const h = await startServer({...quiet, observe: (o) => void seen.push(String(o.path))}, {front: true})
    try {
      await exchange(h.socketPath, [PING])
      assert.deepEqual(seen, ['/_ping'])
    } finally {
      await h.close()
    }

    const asked: string[] = []
    const a = await startServer({...quiet, authorize: (req) => void asked.push(req.url ?? ''), authorizing: () => true}, {front: true})
    try {
      await exchange(a.socketPath, [PING])
      assert.deepEqual(asked, ['/_ping'])
    } finally {
      await a.close()
    }

    const m: string[] = []
    const p = await startServer(quiet, {front: true, middleware: [{plugin: 'p', middleware: [{name: 'mine', before: 'route', request: (c) => void m.push(c.path)}]}]})
    try {
      await exchange(p.socketPath, [PING])
      assert.deepEqual(m, ['/_ping'])
    } finally {
      await p.close()
    }
  })
})
