// The engine backend against a fake upstream on a unix socket: the daemon's API server in front,
// node:http and raw sockets as clients. Checks streaming, hop-by-hop headers, hijack with
// half-close, failures of either side and the merged /_ping, /version, /info and /events.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'

import {createEnginePlugin, upstreamComponents, upstreamFromConfig} from '../../../../src/plugins/builtin/engine/index.js'
import {endToEndHeaders} from '../../../../src/plugins/builtin/engine/headers.js'
import type {DockerdPlugin} from '../../../../src/plugins/types.js'
import type {ApiObservation} from '../../../../src/api/types.js'
import {openStream, request, startServer, within, type Harness} from '../../api/helpers.js'
import {type Fake, fakeEngine, pluginContext, quietLog} from './fake-engine.js'

describe('engine backend (fake upstream)', () => {
  let dir: string
  let fake: Fake
  let plugin: DockerdPlugin
  let front: Harness
  const observed: ApiObservation[] = []

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-fwd-'))
    fake = await fakeEngine(path.join(dir, 'engine.sock'))
    plugin = createEnginePlugin()
    await plugin.start!(pluginContext({'engine-host': `unix://${fake.sock}`}))
    const backend = plugin.engine!()
    assert.ok(backend)
    front = await startServer({
      engine: backend,
      get maxApiVersion() {
        return backend.ping()?.apiVersion ?? '1.56'
      },
      observe: (o: ApiObservation) => observed.push(o),
    } as never)
  })

  after(async () => {
    await front?.close()
    await plugin?.shutdown?.(pluginContext({}))
    await fake?.close()
    fs.rmSync(dir, {force: true, recursive: true})
  })

  test('a plain request goes up with its URI unchanged; hop-by-hop headers stay behind', async () => {
    const r = await request(front.socketPath, '/v1.41/containers/json?all=1', {headers: {Connection: 'keep-alive, X-Drop', 'X-Drop': 'x', 'X-Registry-Auth': 'secret', 'Proxy-Authorization': 'p'}})
    assert.equal(r.status, 200)
    assert.equal(r.body, '[{"Id":"c1"}]\n')
    assert.equal(r.headers['x-upstream'], 'yes')
    assert.equal(r.headers['x-secret-hop'], undefined)
    assert.notEqual(r.headers['keep-alive'], 'timeout=99')
    const up = fake.seen.findLast((s) => s.url.startsWith('/v1.41/containers/json'))!
    assert.equal(up.url, '/v1.41/containers/json?all=1')
    assert.equal(up.headers['x-registry-auth'], 'secret')
    assert.equal(up.headers['x-drop'], undefined)
    assert.equal(up.headers['proxy-authorization'], undefined)
  })

  test('fast path: the head goes up as received (no Connection added), one upstream connection carries consecutive requests', async () => {
    const before = fake.seen.length
    for (let i = 0; i < 4; i++) {
      const r = await request(front.socketPath, `/v1.41/containers/json?n=${i}`, {headers: {'X-Order': String(i)}})
      assert.equal(r.status, 200)
      assert.equal(r.body, '[{"Id":"c1"}]\n')
    }

    const ups = fake.seen.slice(before).filter((s) => s.url.startsWith('/v1.41/containers/json?n='))
    assert.equal(ups.length, 4)
    for (const up of ups) {
      assert.equal(up.headers.connection, undefined)
      assert.equal(up.headers['x-order'], up.url.slice(-1))
    }

    assert.equal(new Set(ups.map((u) => u.conn)).size, 1)
    assert.equal(typeof ups[0].conn, 'number')
  })

  test('fast path: pipelined requests on one client connection get their answers in order', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(front.socketPath)
      let out = ''
      sock.on('data', (c: Buffer) => {
        out += c.toString('latin1')
        if ((out.match(/\[\{"Id":"c1"\}\]\n/g) ?? []).length === 2 && out.includes('page not found')) sock.end()
      })
      sock.on('end', () => resolve(out))
      sock.on('error', reject)
      sock.write('GET /v1.41/containers/json HTTP/1.1\r\nHost: docker\r\n\r\nGET /v1.41/nothing/here HTTP/1.1\r\nHost: docker\r\n\r\nGET /containers/json HTTP/1.1\r\nHost: docker\r\n\r\n')
      setTimeout(() => reject(new Error(`no end; got ${JSON.stringify(out)}`)), 3_000).unref()
    })
    const statuses = [...got.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])
    assert.deepEqual(statuses, ['200', '404', '200'])
    assert.ok(got.indexOf('page not found') < got.lastIndexOf('[{"Id":"c1"}]'))
  })

  test('fast path: an answer framed by the end of the connection goes down whole, then the client connection closes', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(front.socketPath)
      let out = ''
      sock.on('data', (c: Buffer) => (out += c.toString('latin1')))
      sock.on('end', () => resolve(out))
      sock.on('error', reject)
      sock.write('GET /containers/c1/rawclose HTTP/1.1\r\nHost: docker\r\n\r\n')
      setTimeout(() => reject(new Error(`no end; got ${JSON.stringify(out)}`)), 3_000).unref()
    })
    assert.match(got, /^HTTP\/1\.1 200 OK\r\n/)
    assert.match(got, /\r\nConnection: close\r\n/)
    assert.ok(got.endsWith('\r\n\r\nraw bytes until the end'), JSON.stringify(got))
  })

  test('fast path: HEAD gets the head only, and the connection serves the next request', async () => {
    const r = await request(front.socketPath, '/v1.41/containers/json', {method: 'HEAD'})
    assert.equal(r.status, 200)
    assert.equal(r.body, '')
    assert.equal((await request(front.socketPath, '/v1.41/containers/json')).body, '[{"Id":"c1"}]\n')
  })

  // Request smuggling: node:http's parser stands in front of the fast path and refuses these, so
  // no byte of them reaches the upstream.
  const smuggled: Array<[string, string]> = [
    ['Content-Length and Transfer-Encoding', 'POST /v1.41/build HTTP/1.1\r\nHost: docker\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1.41/smuggled HTTP/1.1\r\nHost: docker\r\n\r\n'],
    ['two Content-Lengths', 'POST /v1.41/build HTTP/1.1\r\nHost: docker\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabcGET /v1.41/smuggled HTTP/1.1\r\n\r\n'],
    ['obs-fold', 'GET /v1.41/smuggled HTTP/1.1\r\nHost: docker\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n'],
    ['Transfer-Encoding other than chunked', 'POST /v1.41/smuggled HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n'],
    ['a bare LF before the body', 'POST /v1.41/smuggled HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\n\r\n'],
    ['a space before the colon', 'POST /v1.41/smuggled HTTP/1.1\r\nHost: docker\r\nContent-Length : 5\r\n\r\nhello'],
  ]
  for (const [name, wire] of smuggled) {
    test(`refused before forwarding: ${name}`, async () => {
      const before = fake.seen.length
      const got = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(front.socketPath)
        let out = ''
        sock.on('data', (c: Buffer) => (out += c.toString('latin1')))
        sock.on('close', () => resolve(out))
        sock.on('error', () => resolve(out))
        sock.write(wire)
        setTimeout(() => reject(new Error(`no close; got ${JSON.stringify(out)}`)), 3_000).unref()
      })
      // 400 from the parser, or 501 for a transfer coding Go does not support either.
      assert.match(got, /^HTTP\/1\.1 (400|501) /)
      assert.equal(got.match(/HTTP\/1\.1 /g)?.length, 1, got)
      assert.deepEqual(fake.seen.slice(before).filter((s) => s.url.includes('smuggled') || s.url.includes('build')), [])
    })
  }

  test('a streamed answer arrives line by line, before the upstream has finished', async () => {
    const s = await openStream(front.socketPath, '/containers/c1/logs?follow=1')
    assert.equal(s.status, 200)
    assert.equal(await s.next(), 'first')
    assert.equal(await s.next(), 'second')
    assert.equal(await s.next(), 'third')
    await within(s.ended, 2_000, 'end of stream')
  })

  test('a chunked request body is streamed up chunked, a sized one with its length', async () => {
    const send = (headers: Record<string, string>, parts: string[]) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request({headers, method: 'POST', path: '/build', socketPath: front.socketPath}, (res) => {
          let b = ''
          res.on('data', (c) => (b += c))
          res.on('end', () => resolve(b))
        })
        req.on('error', reject)
        for (const p of parts) req.write(p)
        req.end()
      })
    const chunked = JSON.parse(await send({'Transfer-Encoding': 'chunked'}, ['a'.repeat(1000), 'b'.repeat(5000)]))
    assert.deepEqual(chunked, {cl: '', got: 6000, te: 'chunked'})
    const sized = JSON.parse(await send({'Content-Length': '3'}, ['abc']))
    assert.deepEqual(sized, {cl: '3', got: 3, te: ''})
    // Go clients send Content-Length: 0 on an empty POST; Node would send an empty chunked body.
    const empty = JSON.parse(await send({}, []))
    assert.deepEqual(empty, {cl: '0', got: 0, te: ''})
  })

  test('attach: the 101 is passed back, bytes go both ways, and output after the client half-closes still arrives', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(front.socketPath)
      let out = ''
      sock.on('data', (c: Buffer) => {
        out += c.toString('latin1')
        if (out.includes('HELLO') && !sock.writableEnded) sock.end()
      })
      sock.on('end', () => resolve(out))
      sock.on('error', reject)
      sock.write('POST /v1.41/containers/c1/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\nhello')
      setTimeout(() => reject(new Error(`no end; got ${JSON.stringify(out)}`)), 3_000).unref()
    })
    assert.match(got, /^HTTP\/1\.1 101 UPGRADED\r\n/)
    assert.match(got, /Upgrade: tcp/)
    assert.ok(got.endsWith('HELLObye\n'), JSON.stringify(got))
  })

  test('an upgrading request with a body (exec start) sends that body up first', async () => {
    const body = '{"Detach":false,"Tty":false}'
    const got = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(front.socketPath)
      let out = ''
      sock.on('data', (c: Buffer) => {
        out += c.toString('latin1')
        if (out.includes('STDIN') && !sock.writableEnded) sock.end()
      })
      sock.on('end', () => resolve(out))
      sock.on('error', reject)
      sock.write(`POST /exec/e1/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`)
      setTimeout(() => sock.write(body.slice(5) + 'stdin'), 50)
      setTimeout(() => reject(new Error(`no end; got ${JSON.stringify(out)}`)), 3_000).unref()
    })
    const up = fake.seen.findLast((s) => s.url === '/exec/e1/start')!
    assert.equal(up.body.slice(0, body.length), body)
    assert.ok(got.endsWith('STDINbye\n'), JSON.stringify(got))
  })

  test('an upstream that resets mid-answer ends the client answer, and the front keeps serving', async () => {
    const s = await openStream(front.socketPath, '/containers/c1/reset')
    assert.equal(await s.next(), 'partial')
    await within(s.ended, 2_000, 'end after reset')
    const r = await request(front.socketPath, '/_ping')
    assert.equal(r.status, 200)
  })

  test('a client that goes away aborts its upstream request', async () => {
    const s = await openStream(front.socketPath, '/containers/c1/logs?follow=1')
    assert.equal(await s.next(), 'first')
    const upstreamSockets = () => new Promise<number>((resolve) => fake.server.getConnections((_e, n) => resolve(n)))
    s.abort()
    await within(
      (async () => {
        for (;;) {
          // The aborted stream's upstream socket closes (a keep-alive one may stay in the pool).
          if ((await upstreamSockets()) <= 2) return
          await new Promise((r) => setTimeout(r, 20))
        }
      })(),
      2_000,
      'upstream socket closed',
    )
  })

  test('/_ping advertises the engine version and passes its builder, experimental and swarm headers', async () => {
    const r = await request(front.socketPath, '/_ping', {method: 'HEAD'})
    assert.equal(r.headers['api-version'], '1.41')
    assert.equal(r.headers['builder-version'], '1')
    assert.equal(r.headers['docker-experimental'], 'true')
    assert.equal(r.headers.swarm, 'inactive')
  })

  test('/events carries the upstream events with ours', async () => {
    const since = Math.floor(Date.now() / 1000) - 5
    front.ctx.events.publish({Action: 'reload', Actor: {ID: 'me'}, Type: 'daemon'})
    const r = await request(front.socketPath, `/events?since=${since}&until=${since + 6}`)
    const lines = r.body.trim().split('\n').map((l) => JSON.parse(l) as {Action: string; Type: string})
    assert.deepEqual(lines.map((l) => `${l.Type} ${l.Action}`).sort(), ['container start', 'daemon reload'])
    assert.match(fake.seen.findLast((s) => s.url.includes('/events'))!.url, /since=/)
  })

  test('live /events streams asking the same share one upstream request, which ends when the last leaves', async () => {
    const query = '/events?filters=%7B%7D'
    const before = fake.seen.length
    const a = await openStream(front.socketPath, query)
    assert.equal(await a.next(), JSON.stringify({Action: 'start', Type: 'container', id: 'c1'}))
    const b = await openStream(front.socketPath, query)
    const upstreamAsks = () => fake.seen.slice(before).filter((s) => s.url.endsWith(query)).length
    assert.equal(upstreamAsks(), 1)
    const line = JSON.stringify({Action: 'die', Type: 'container', id: 'c2'})
    for (const res of fake.live) if (res.req.url?.endsWith(query)) res.write(line + '\n')
    assert.equal(await a.next(), line)
    assert.equal(await b.next(), line)
    a.abort()
    // One subscriber left: the upstream request stays for the other.
    await new Promise((r) => setTimeout(r, 50))
    assert.equal([...fake.live].filter((r) => r.req.url?.endsWith(query)).length, 1)
    b.abort()
    await within(
      (async () => {
        while ([...fake.live].some((r) => r.req.url?.endsWith(query))) await new Promise((r) => setTimeout(r, 10))
      })(),
      2_000,
      'upstream /events closed',
    )
  })

  test('observers see forwarded requests with the route pattern, status and bytes', async () => {
    observed.length = 0
    await request(front.socketPath, '/v1.41/containers/abc/logs')
    await within(
      (async () => {
        while (!observed.some((o) => o.path === '/containers/abc/logs')) await new Promise((r) => setTimeout(r, 10))
      })(),
      2_000,
      'observation',
    )
    const o = observed.find((x) => x.path === '/containers/abc/logs')!
    assert.equal(o.route, '/containers/{id}/logs')
    assert.equal(o.forwarded, true)
    assert.equal(o.status, 200)
    assert.equal(o.bytes, 'first\nsecond\nthird\n'.length)
    assert.equal(o.method, 'GET')
  })

  test('upstreamComponents renames the upstream engine and drops junk', () => {
    assert.deepEqual(upstreamComponents({Components: [{Name: 'Engine', Version: '1'}, {Name: 'runc', Version: '2'}, {x: 1}]}), [
      {Name: 'Upstream Engine', Version: '1'},
      {Name: 'runc', Version: '2'},
    ])
    assert.deepEqual(upstreamComponents(null), [])
  })
})

describe('engine backend: upstream down', () => {
  test('forwarded requests answer 502 naming the address and cause; /_ping still answers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-down-'))
    const sock = path.join(dir, 'nothing.sock')
    const plugin = createEnginePlugin()
    await plugin.start!(pluginContext({'engine-host': `unix://${sock}`}))
    const backend = plugin.engine!()!
    const front = await startServer({engine: backend})
    try {
      const r = await request(front.socketPath, '/v1.41/containers/json')
      assert.equal(r.status, 502)
      assert.deepEqual(JSON.parse(r.body), {message: `cannot reach the engine at unix://${sock}: dial unix ${sock}: connect: no such file or directory`})
      assert.match(backend.warning() ?? '', /not reachable: dial unix .*: connect: no such file or directory/)
      assert.equal((await request(front.socketPath, '/_ping')).status, 200)
      // It comes back: forwarding resumes with no restart.
      const fake = await fakeEngine(sock)
      try {
        const ok = await request(front.socketPath, '/v1.41/containers/json')
        assert.equal(ok.status, 200)
      } finally {
        await fake.close()
      }
    } finally {
      await front.close()
      await plugin.shutdown?.(pluginContext({}))
      fs.rmSync(dir, {force: true, recursive: true})
    }
  })
})

describe('engine backend: an upstream that answers garbage', () => {
  test('502 saying it is not HTTP; the front keeps serving', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-junk-'))
    const sock = path.join(dir, 'junk.sock')
    const junk = net.createServer((s) => {
      s.on('error', () => {})
      s.once('data', () => s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'))
    })
    await new Promise<void>((resolve) => junk.listen(sock, resolve))
    const plugin = createEnginePlugin()
    await plugin.start!(pluginContext({'engine-host': `unix://${sock}`}))
    const front = await startServer({engine: plugin.engine!()!})
    try {
      const r = await request(front.socketPath, '/v1.41/containers/json')
      assert.equal(r.status, 502)
      assert.equal(JSON.parse(r.body).message, `cannot reach the engine at unix://${sock}: its answer is not HTTP (is a Docker engine listening there?)`)
      assert.equal((await request(front.socketPath, '/_ping')).status, 200)
    } finally {
      await front.close()
      await plugin.shutdown?.(pluginContext({}))
      junk.close()
      fs.rmSync(dir, {force: true, recursive: true})
    }
  })
})

describe('engine configuration', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{'engine-tlsverify': true}, /--engine-tlsverify given without --engine-host/],
    [{'engine-host': 'unix:///x.sock', 'engine-tlsverify': true}, /apply only to a tcp:\/\/ engine-host/],
    [{'engine-host': 'tcp://127.0.0.1:2376', 'engine-tlsverify': true}, /needs --engine-tlscacert/],
    [{'engine-host': 'tcp://127.0.0.1:2376', 'engine-tlscacert': '/ca.pem', 'engine-tlscert': '/c.pem', 'engine-tlsverify': true}, /go together: only --engine-tlscert/],
    [{'engine-host': 'tcp://127.0.0.1:2376', 'engine-tlscacert': '/ca.pem'}, /need --engine-tlsverify/],
    [{'engine-host': 'tcp://127.0.0.1:2376', 'engine-tlscacert': '/nonexistent/ca.pem', 'engine-tlsverify': true}, /--engine-tlscacert: could not read \/nonexistent\/ca.pem: no such file or directory/],
    [{'engine-host': 'fd://'}, /invalid engine-host/],
  ]
  for (const [values, message] of bad) {
    test(`refuses ${JSON.stringify(values)}`, () => assert.rejects(upstreamFromConfig(values, {log: quietLog}), message))
  }

  test('no engine-host: no upstream', async () => assert.equal(await upstreamFromConfig({}, {log: quietLog}), undefined))
})

describe('endToEndHeaders', () => {
  const cases: Array<[string[], string[]]> = [
    [['Host', 'x', 'Connection', 'close', 'Keep-Alive', '5', 'TE', 'trailers', 'Trailer', 'X', 'Transfer-Encoding', 'chunked', 'Upgrade', 'tcp', 'X-A', '1'], ['Host', 'x', 'X-A', '1']],
    [['Connection', 'X-Foo, x-bar', 'X-Foo', '1', 'X-Bar', '2', 'X-Baz', '3'], ['X-Baz', '3']],
    [['Proxy-Connection', 'keep-alive', 'Proxy-Authorization', 'Basic x', 'Expect', '100-continue', 'X-Registry-Auth', 'e30='], ['X-Registry-Auth', 'e30=']],
    [['set-cookie', 'a', 'set-cookie', 'b'], ['set-cookie', 'a', 'set-cookie', 'b']],
  ]
  for (const [raw, want] of cases) test(raw.join(' ').slice(0, 60), () => assert.deepEqual(endToEndHeaders(raw), want))
})
