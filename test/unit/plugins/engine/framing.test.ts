// The fast path's response-head parser: framing of each kind of answer, refusals of what could let
// two parties disagree on where an answer ends, and (property) the same framing and body bytes
// whatever byte boundaries the answer arrives split at.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import fc from 'fast-check'

import {type Framing, FramingError, ResponseReader} from '../../../../src/plugins/builtin/engine/framing.js'
import {requestHead, responseHead} from '../../../../src/plugins/builtin/engine/fast.js'

interface Read {
  status: number
  framing: Framing['kind']
  keepAlive: boolean
  body: string
  payload: number
  done: boolean
  extra: string
}

/** Feeds `parts` in order, then the end of the connection when `eof`. */
function read(parts: Array<string | Buffer>, opts: {head?: boolean; eof?: boolean} = {}): Read {
  const r = new ResponseReader(opts.head)
  let body = ''
  for (const p of parts) body += r.feed(Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1')).toString('latin1')
  if (opts.eof) r.end()
  return {
    body,
    done: r.done,
    extra: r.extra?.toString('latin1') ?? '',
    framing: r.head?.framing.kind ?? 'none',
    keepAlive: r.head?.keepAlive ?? false,
    payload: r.payload,
    status: r.head?.status ?? 0,
  }
}

describe('ResponseReader: framing', () => {
  const cases: Array<[string, string[], {head?: boolean; eof?: boolean}, Partial<Read>]> = [
    ['Content-Length', ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n[]\n'], {}, {body: '[]\n', done: true, framing: 'length', keepAlive: true, payload: 3}],
    ['Content-Length, head and body split', ['HTTP/1.1 200 OK\r\nConte', 'nt-Length: 5\r\n\r', '\nab', 'cde'], {}, {body: 'abcde', done: true, payload: 5}],
    ['Content-Length: 0', ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'], {}, {body: '', done: true, framing: 'length'}],
    ['bytes past the end are extra', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1'], {}, {body: 'ok', done: true, extra: 'HTTP/1.1'}],
    ['chunked, with an extension and a trailer', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n'], {}, {body: '3;x=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n', done: true, framing: 'chunked', payload: 3}],
    ['chunked, not yet ended', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n'], {}, {done: false, payload: 10}],
    ['chunked, upper-case hex', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n'], {}, {done: true, payload: 10}],
    ['framed by the close', ['HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw'], {eof: true}, {body: 'raw', done: true, framing: 'close', keepAlive: false}],
    ['framed by the close, still open', ['HTTP/1.1 200 OK\r\n\r\nraw'], {}, {done: false, framing: 'close'}],
    ['HEAD: no body whatever the length says', ['HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n'], {head: true}, {done: true, framing: 'none', keepAlive: true}],
    ['204 has no body', ['HTTP/1.1 204 No Content\r\n\r\n'], {}, {done: true, framing: 'none', status: 204}],
    ['304 has no body', ['HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'], {}, {done: true, framing: 'none'}],
    ['100 Continue is skipped', ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}'], {}, {body: '{}', done: true, status: 201}],
    ['Connection: close', ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'], {}, {done: true, keepAlive: false}],
    ['HTTP/1.0 closes', ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'], {}, {done: true, keepAlive: false}],
    ['HTTP/1.0 keep-alive', ['HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'], {}, {done: true, keepAlive: true}],
    ['the same Content-Length twice', ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx'], {}, {body: 'x', done: true}],
    ['a reason with spaces, and none', ['HTTP/1.1 404 Not Found Here\r\nContent-Length: 0\r\n\r\n'], {}, {done: true, status: 404}],
  ]
  for (const [name, parts, opts, want] of cases) {
    test(name, () => {
      const got = read(parts, opts)
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof Read], v, k)
    })
  }

  test('a status line without a reason', () => assert.equal(read(['HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n']).status, 200))
})

describe('ResponseReader: refusals', () => {
  const bad: Array<[string, string[], RegExp]> = [
    ['not HTTP', ['SSH-2.0-OpenSSH_9.2\r\n\r\n'], /not an HTTP response/],
    ['not HTTP, known from the first bytes', ['SSH-2.0'], /not an HTTP response/],
    ['Content-Length and Transfer-Encoding', ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'], /both Transfer-Encoding and Content-Length/],
    ['two different Content-Lengths', ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n'], /conflicting Content-Length/],
    ['a list in Content-Length', ['HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\n'], /Content-Length/],
    ['a signed Content-Length', ['HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\n'], /Content-Length/],
    ['obs-fold', ['HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n'], /line folding/],
    ['a bare LF in the head', ['HTTP/1.1 200 OK\r\nX-A: 1\nContent-Length: 0\r\n\r\n'], /bare LF or CR/],
    ['a CR inside a value', ['HTTP/1.1 200 OK\r\nX-A: 1\r2\r\nContent-Length: 0\r\n\r\n'], /bare LF or CR/],
    ['a NUL inside a value', ['HTTP/1.1 200 OK\r\nX-A: 1\x002\r\nContent-Length: 0\r\n\r\n'], /NUL/],
    ['a space before the colon', ['HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n'], /bad header name/],
    ['gzip, chunked', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'], /unsupported Transfer-Encoding/],
    ['chunked twice', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n'], /unsupported Transfer-Encoding/],
    ['a 101 nobody asked for', ['HTTP/1.1 101 Switching Protocols\r\n\r\n'], /101/],
    ['a status of two digits', ['HTTP/1.1 20 OK\r\n\r\n'], /bad status line/],
    ['HTTP/2 status line', ['HTTP/2 200\r\n\r\n'], /not an HTTP response|bad status line/],
    ['a chunk without a size', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n'], /chunk size missing/],
    ['a chunk longer than its size', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n'], /longer than its size/],
    ['a chunk size too large', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n'], /too large/],
    ['a chunk size with a bare LF', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\na\r\n'], /bad chunk size/],
    ['a head larger than 64 KiB', ['HTTP/1.1 200 OK\r\n' + 'X-A: aaaaaaaa\r\n'.repeat(5000)], /too large/],
  ]
  for (const [name, parts, message] of bad) {
    test(name, () => {
      assert.throws(
        () => read(parts),
        (e: unknown) => e instanceof FramingError && message.test(e.message) && e.code.startsWith('HPE_'),
      )
    })
  }

  test('an answer cut before its end is not complete', () => {
    const r = new ResponseReader()
    r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'))
    assert.equal(r.end(), false)
    assert.equal(r.done, false)
  })
})

// Random valid answers: a head with some headers and one kind of framing, a body, then maybe
// the next answer's first bytes (which must come out as `extra`).
const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/).filter((n) => !/^(content-length|transfer-encoding|connection)$/i.test(n))
const value = fc.stringMatching(/^[!-~]([ !-~]{0,20}[!-~])?$/)
const answer = fc.record({
  chunks: fc.array(fc.uint8Array({maxLength: 300, minLength: 1}), {maxLength: 6}),
  extra: fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'x'),
  ext: fc.boolean(),
  framing: fc.constantFrom('length', 'chunked', 'close'),
  headers: fc.array(fc.tuple(token, value), {maxLength: 8}),
  status: fc.integer({max: 599, min: 200}).filter((s) => s !== 204 && s !== 304),
  trailer: fc.boolean(),
})

function serialise(a: Answer): {wire: Buffer; body: Buffer; payload: number; bodyWire: Buffer} {
  const payload = Buffer.concat(a.chunks.map((c) => Buffer.from(c)))
  let head = `HTTP/1.1 ${a.status} Reason\r\n`
  for (const [n, v] of a.headers) head += `${n}: ${v}\r\n`
  let bodyWire: Buffer
  if (a.framing === 'length') {
    head += `Content-Length: ${payload.length}\r\n`
    bodyWire = payload
  } else if (a.framing === 'chunked') {
    head += 'Transfer-Encoding: chunked\r\n'
    const parts: Buffer[] = []
    for (const c of a.chunks) parts.push(Buffer.from(`${c.length.toString(16)}${a.ext ? ';e=1' : ''}\r\n`), Buffer.from(c), Buffer.from('\r\n'))
    parts.push(Buffer.from(`0\r\n${a.trailer ? 'X-Trailer: t\r\n' : ''}\r\n`))
    bodyWire = Buffer.concat(parts)
  } else bodyWire = payload

  const extra = a.framing === 'close' ? '' : a.extra
  const wire = Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), bodyWire, Buffer.from(extra, 'latin1')])
  return {body: payload, bodyWire, payload: payload.length, wire}
}

type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never

describe('ResponseReader: property', () => {
  test('any split of a valid answer gives the same head, framing, body bytes and end', () => {
    fc.assert(
      fc.property(answer, fc.array(fc.nat(), {maxLength: 12}), (a, cuts) => {
        const {bodyWire, payload, wire} = serialise(a)
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((x, y) => x - y)
        const parts: Buffer[] = []
        let last = 0
        for (const p of [...points, wire.length]) {
          parts.push(wire.subarray(last, p))
          last = p
        }

        const r = new ResponseReader()
        const body: Buffer[] = []
        for (const p of parts) body.push(r.feed(p))
        if (a.framing === 'close') assert.equal(r.end(), true)
        assert.ok(r.head)
        assert.equal(r.head.status, a.status)
        assert.equal(r.head.framing.kind, a.framing)
        assert.deepEqual(r.head.rawHeaders.slice(0, a.headers.length * 2), a.headers.flat())
        assert.equal(r.done, true)
        assert.equal(r.payload, payload)
        assert.deepEqual(Buffer.concat(body), bodyWire)
        assert.equal(r.extra?.toString('latin1') ?? '', a.framing === 'close' ? '' : a.extra)
      }),
      {numRuns: 300},
    )
  })
})

describe('heads the fast path writes', () => {
  test('request: hop-by-hop and Connection-named headers dropped, the rest unchanged in order', () => {
    const raw = ['Host', 'docker', 'Connection', 'keep-alive, X-Drop', 'X-Drop', '1', 'User-Agent', 'Docker-Client/28', 'Expect', '100-continue', 'Proxy-Authorization', 'p', 'X-Registry-Auth', 'e30=']
    assert.equal(requestHead('GET', '/v1.41/containers/json?all=1', raw, false), 'GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: docker\r\nUser-Agent: Docker-Client/28\r\nX-Registry-Auth: e30=\r\n\r\n')
  })

  test('request: an empty POST says Content-Length: 0, as Go clients do', () => {
    assert.equal(requestHead('POST', '/containers/c1/start', ['Host', 'docker'], true), 'POST /containers/c1/start HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n')
  })

  test('response: our framing headers replace the upstream hop-by-hop ones', () => {
    const r = new ResponseReader()
    r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=9\r\nTransfer-Encoding: chunked\r\n\r\n'))
    assert.equal(responseHead(r.head!, false), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n')
    assert.equal(responseHead(r.head!, true), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n')
  })
})
