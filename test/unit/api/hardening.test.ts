// Issue 10's API-side fixes: Go's refusals of duplicate Host and unknown Transfer-Encoding, slow
// /events readers ended instead of growing memory, and a shutdown that waits only for requests
// in flight (and can wait longer than a Node timer allows without cutting at once).
import assert from 'node:assert/strict'
import net from 'node:net'
import {describe, test} from 'node:test'

import {EventBus} from '../../../src/api/events.js'
import {closeGracefully, routerOf} from '../../../src/api/server.js'
import {rawExchange, startServer, within} from './helpers.js'

const GO_ERROR_HEADERS = ['Content-Type: text/plain; charset=utf-8\r\n', 'Connection: close\r\n']

describe("requests Go's net/http refuses (issue 10 #16)", {timeout: 20_000}, () => {
  const table: Array<[string, string, RegExp]> = [
    ['two Host headers', 'GET /_ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', /^HTTP\/1\.1 400 Bad Request: too many Host headers\r\n[^]*\r\n\r\n400 Bad Request: too many Host headers$/],
    ['two Host headers on HTTP/1.0', 'GET /_ping HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n', /^HTTP\/1\.1 400 Bad Request: too many Host headers/],
    ['Transfer-Encoding: gzip', 'POST /_ping HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', /^HTTP\/1\.1 501 Not Implemented\r\n[^]*\r\n\r\nUnsupported transfer encoding$/],
    ['Transfer-Encoding: gzip, chunked', 'POST /_ping HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', /^HTTP\/1\.1 501 Not Implemented\r\n[^]*Unsupported transfer encoding$/],
    ['Transfer-Encoding twice', 'POST /_ping HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', /^HTTP\/1\.1 501 Not Implemented/],
  ]
  for (const [name, request, want] of table) {
    test(name, async () => {
      const h = await startServer()
      try {
        const out = await rawExchange(h.socketPath, request)
        assert.match(out, want)
        for (const header of GO_ERROR_HEADERS) assert.ok(out.includes(header), out)
      } finally {
        await h.close()
      }
    })
  }

  test('one Host and chunked are still served', async () => {
    const h = await startServer()
    try {
      const out = await rawExchange(h.socketPath, 'GET /_ping HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n0\r\n\r\n')
      assert.match(out, /^HTTP\/1\.1 200 OK/)
    } finally {
      await h.close()
    }
  })
})

describe('slow /events readers (issue 10 #12)', {timeout: 30_000}, () => {
  test('the bus ends a subscriber past its backlog, and the largest ones past the total', () => {
    const bus = new EventBus({subscriberBacklog: 100, totalBacklog: 150})
    const ended: string[] = []
    const backlog = {a: 0, b: 0, c: 0}
    for (const name of ['a', 'b', 'c'] as const) {
      bus.subscribe(() => {}, undefined, {backlog: () => backlog[name], overflow: (why) => ended.push(`${name}: ${why}`)})
    }

    const publish = () => bus.publish({Action: 'x', Actor: {ID: 'E'}, Type: 'daemon'})
    backlog.a = 101
    publish()
    assert.deepEqual(ended, ['a: 101 bytes not read, over the limit of 100 per subscriber'])
    assert.equal(bus.subscriberCount, 2)
    backlog.b = 90
    backlog.c = 80
    publish()
    assert.deepEqual(ended.slice(1), ['b: 90 bytes not read while all subscribers together were over the limit of 150'])
    assert.equal(bus.subscriberCount, 1)
    publish()
    assert.equal(ended.length, 2, 'a subscriber within the limits stays')
  })

  test('a client that never reads is cut off and logged; the others keep their events', async () => {
    const warned: string[] = []
    const events = new EventBus({subscriberBacklog: 64 << 10, totalBacklog: 1 << 20})
    const h = await startServer({events})
    h.ctx.log.warn = (msg) => warned.push(msg)
    try {
      // A reader that sends its request and never reads a byte.
      const stuck = net.connect(h.socketPath, () => stuck.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n'))
      stuck.pause()
      stuck.on('error', () => {})
      const stuckClosed = new Promise<void>((r) => stuck.once('close', () => r()))
      while (events.subscriberCount === 0) await new Promise((r) => setTimeout(r, 5))
      const big = 'x'.repeat(8 << 10)
      for (let i = 0; i < 2000 && events.subscriberCount > 0; i++) {
        events.publish({Action: 'reload', Actor: {Attributes: {big}, ID: 'E'}, Type: 'daemon'})
        if (i % 50 === 0) await new Promise((r) => setImmediate(r))
      }

      assert.equal(events.subscriberCount, 0, 'the stuck subscriber was ended')
      assert.deepEqual(warned, ['events subscriber ended: it fell too far behind'])
      stuck.resume()
      await within(stuckClosed, 5_000, 'stuck connection closed')
    } finally {
      await h.close()
    }
  })
})

describe('shutdown (issue 10 #11, #13)', {timeout: 30_000}, () => {
  test('idle and half-sent connections close at once; a request in flight gets its grace', async () => {
    const h = await startServer()
    try {
      let release!: () => void
      routerOf(h.server).add({
        handler: (_req, res) =>
          new Promise<void>((resolve) => {
            release = () => {
              res.end('done')
              resolve()
            }
          }),
        method: 'GET',
        path: '/slow',
      })
      const closedSock = (s: net.Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())))
      const idle = net.connect(h.socketPath)
      const half = net.connect(h.socketPath, () => half.write('GET /_ping HTTP/1.1\r\nHo'))
      const busy = net.connect(h.socketPath, () => busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'))
      let reply = ''
      busy.on('data', (d) => (reply += d))
      for (const s of [idle, half, busy]) s.on('error', () => {})
      while (!release) await new Promise((r) => setTimeout(r, 5))
      // 2,147,484 s and more: longer than a Node timer; must mean "wait", not "cut at once".
      const closing = closeGracefully(h.server, 2_147_484_000)
      await within(Promise.all([closedSock(idle), closedSock(half)]), 2_000, 'idle and half-sent closed at once')
      await new Promise((r) => setTimeout(r, 100))
      assert.equal(busy.destroyed, false, 'the request in flight is not cut')
      release()
      await within(closing, 2_000, 'shutdown once the request ended')
      assert.match(reply, /^HTTP\/1\.1 200 OK[^]*done$/)
    } finally {
      await h.close()
    }
  })
})
