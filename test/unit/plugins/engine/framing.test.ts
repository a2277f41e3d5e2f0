// The fast path's response-head parser: framing of each kind of answer, refusals of what could let
// two parties disagree on where an answer ends, (property) the same framing and body bytes
// whatever byte boundaries the answer arrives split at, the byte scanner against the string
// parser it replaced, when a head may be copied rather than rebuilt, and a reader reused.
import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {describe, test} from 'node:test'

import fc from 'fast-check'

import {type Framing, FramingError, parseHead, type ParsedHead, ResponseReader, scanHead} from '../../../../src/plugins/builtin/engine/framing.js'
import {closingHead, requestHead, responseHead} from '../../../../src/plugins/builtin/engine/fast.js'

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

  test('response: a clean head for a closing connection gets Connection: close before its empty line', () => {
    const r = new ResponseReader()
    r.feed(Buffer.from('HTTP/1.1 200\r\ncontent-type:text/plain\r\nContent-Length: 0\r\n\r\n', 'latin1'))
    assert.ok(r.head?.clean)
    assert.equal(closingHead(r.head.raw), 'HTTP/1.1 200\r\ncontent-type:text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
  })
})

/** The first head in `wire` (which must hold its CRLF CRLF) by scanHead, and by parseHead: undefined where refused. */
function both(wire: Buffer, noBody: boolean): {scan?: ReturnType<typeof scanHead>; ref?: ParsedHead} {
  const end = wire.indexOf('\r\n\r\n')
  let ref: ParsedHead | undefined
  try {
    ref = parseHead(wire.toString('latin1', 0, end), noBody)
  } catch (error) {
    assert.ok(error instanceof FramingError)
  }

  return {ref, scan: scanHead(wire, end, noBody)}
}

function sameVerdict(wire: Buffer, noBody: boolean): void {
  const {ref, scan} = both(wire, noBody)
  const shown = JSON.stringify(wire.toString('latin1'))
  assert.equal(scan === undefined, ref === undefined, `${shown}: scanHead ${scan ? 'accepts' : 'refuses'}, parseHead ${ref ? 'accepts' : 'refuses'}`)
  if (!scan || !ref) return
  assert.equal(scan.status, ref.status, shown)
  assert.equal(scan.minor, ref.minor, shown)
  assert.deepEqual(scan.framing, ref.framing, shown)
  assert.equal(scan.keepAlive, ref.keepAlive, shown)
  assert.equal(scan.reason, ref.reason, shown)
  assert.deepEqual(scan.rawHeaders, ref.rawHeaders, shown)
  assert.deepEqual(scan.raw, wire.subarray(0, wire.indexOf('\r\n\r\n') + 4), shown)
}

// Heads built from pieces chosen to sit on the edges of the rules: names that matter in any case,
// separators, values that are almost lengths or almost `chunked`, bytes that end lines or are
// refused, then random byte edits on top. Weighted so that about half the heads are accepted.
const often = <T,>(good: readonly T[], odd: readonly T[], weight = 4): fc.Arbitrary<T> => fc.oneof({arbitrary: fc.constantFrom(...good), weight}, {arbitrary: fc.constantFrom(...odd), weight: 1})
const NAMES = ['Content-Length', 'content-length', 'CONTENT-LENGTH', 'Transfer-Encoding', 'transfer-encoding', 'X-Connection', 'Content-Lengths', 'Api-Version', 'Docker-Experimental', 'Ostype', 'Server', 'Date', 'TEA', 'x']
const HOP_NAMES = ['Connection', 'connection', 'Keep-Alive', 'TE', 'te', 'Trailer', 'Upgrade', 'Proxy-Connection', 'Proxy-Authenticate', 'proxy-authorization', 'Expect']
const ODD_NAMES = ['X A', 'B\x01', '\xd1ame', '', 'A:B', 'Content-Length ']
const VALUES = ['0', '3', '03', '3 ', ' 3', '123456789012345', '', 'chunked', 'Chunked', 'CHUNKED', 'chunked ', 'identity', 'close', 'Close', 'keep-alive', 'Keep-Alive, X-A', 'close, keep-alive', ' ,close ,', 'upgrade', 'caf\xe9', 'application/json', 'Docker/28.0.0 (linux)']
const ODD_VALUES = ['1234567890123456', '+3', '3, 3', '-1', 'gzip, chunked', 'chunked, chunked', 'close\x0b', '\xa0close', 'keep-alive\x0c', 'x\0y', 'a\rb', 'a\nb', 'a\x01b']
const line = fc.tuple(
  fc.oneof({arbitrary: fc.constantFrom(...NAMES), weight: 12}, {arbitrary: fc.constantFrom(...HOP_NAMES), weight: 2}, {arbitrary: fc.constantFrom(...ODD_NAMES), weight: 1}, {arbitrary: fc.stringMatching(/^[!-~]{1,8}$/), weight: 1}),
  often([':', ': ', ':\t', ':  '], [' :', ':\r\n ']),
  fc.oneof({arbitrary: often(VALUES, ODD_VALUES), weight: 3}, {arbitrary: fc.stringMatching(/^[ -~]{0,10}$/), weight: 1}),
  often(['\r\n'], ['\n', '\r', '\r\n ', '\r\n\t', '\r\r\n'], 12),
)
const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.integer({max: 255, min: 0}))
const headText = fc
  .record({
    edits: fc.oneof({arbitrary: fc.constant([]), weight: 3}, {arbitrary: fc.array(edit, {maxLength: 3, minLength: 1}), weight: 1}),
    // One well-formed framing field after the others, often: chunked answers are rare otherwise.
    last: fc.constantFrom('', 'Transfer-Encoding: chunked\r\n', 'transfer-encoding: Chunked\r\n', 'Content-Length: 3\r\n'),
    lines: fc.array(line, {maxLength: 6}),
    minor: often(['1', '1', '0'], ['2', 'x']),
    reason: often([' OK', ' Not Found', '', ' ', ' caf\xe9', '  OK'], [' \x01', ' a\rb', ' a\0']),
    status: often(['200', '201', '204', '304', '100', '103', '404', '999', '000', '042'], ['101', '20', '2000', '2x0']),
  })
  .map(({edits, last, lines, minor, reason, status}) => {
    let text = `HTTP/1.${minor} ${status}${reason}\r\n`
    for (const [n, sep, v, eol] of lines) text += n + sep + v + eol
    text += last
    const bytes = [...Buffer.from(text.slice(0, -2), 'latin1')]
    for (const [at, kind, b] of edits) {
      const i = at % (bytes.length + 1)
      if (kind === 'insert') bytes.splice(i, 0, b)
      else if (kind === 'delete') bytes.splice(i, 1)
      else bytes[Math.min(i, bytes.length - 1)] = b
    }

    return Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\nbody', 'latin1')])
  })

describe('scanHead: the same verdicts as parseHead', () => {
  const heads: Array<[string, boolean]> = [
    ['HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: Docker/28.0.0 (linux)\r\nDate: Wed, 02 Dec 2026 03:00:00 GMT\r\nContent-Length: 3\r\n\r\n[]\n', false],
    ['HTTP/1.1 200\r\n\r\n', false],
    ['HTTP/1.1 200 \r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\ncontent-length:7  \r\nCONTENT-LENGTH: 7\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 07\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n', true],
    ['HTTP/1.1 204 No Content\r\nTransfer-Encoding: gzip\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n', false],
    ['HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.0 200 OK\r\nConnection: x\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nConnection: x,\xa0close\x0b\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n', false],
    ['HTTP/1.1 100 Continue\r\nContent-Length: x\r\n\r\n', false],
    ['HTTP/1.1 042 Odd\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nX-A: 1\r\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nX-A: \x001\r\n\r\n', false],
    ['HTTP/1.1 200 O\x00K\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\n: empty name\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\n\xd1ame: x\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\r\n\r\n', false],
    ['HTTP/1.1 2000\r\n\r\n', false],
    ['HTTP/1.2 200 OK\r\n\r\n', false],
    ['HTTP/1.1 200 OK\nX: 1\r\n\r\n', false],
  ]
  for (const [wire, noBody] of heads) {
    test(`${JSON.stringify(wire.slice(0, 60))}${noBody ? ' (HEAD)' : ''}`, () => sameVerdict(Buffer.from(wire, 'latin1'), noBody))
  }

  test('property: random and mutated heads', () => {
    fc.assert(
      fc.property(headText, fc.boolean(), (wire, noBody) => sameVerdict(wire, noBody)),
      {numRuns: 3000},
    )
  })

  test('the generator reaches both verdicts and every framing (the property is not vacuous)', () => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(headText, fc.boolean(), (wire, noBody) => {
        const {scan} = both(wire, noBody)
        seen.add(scan ? `${scan.framing.kind}${scan.clean ? ' clean' : ''}` : 'refused')
      }),
      {numRuns: 3000, seed: 12},
    )
    for (const want of ['refused', 'none', 'none clean', 'length', 'length clean', 'chunked', 'chunked clean', 'close']) assert.ok(seen.has(want), `${want} in ${[...seen].join(', ')}`)
  })
})

describe('ResponseHead: raw and clean', () => {
  const cases: Array<[string, string[], {head?: boolean}, boolean]> = [
    ['a dockerd answer', ['HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nServer: Docker/28.0.0 (linux)\r\nContent-Length: 3\r\n\r\n[]\n'], {}, true],
    ['no reason', ['HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n'], {}, true],
    ['odd whitespace and case', ['HTTP/1.1 404 Not Found\r\ncontent-type:text/plain \t\r\nCONTENT-LENGTH:  0\r\n\r\n'], {}, true],
    ['the same Content-Length twice', ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx'], {}, true],
    ['chunked', ['HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n0\r\n\r\n'], {}, true],
    ['204', ['HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n'], {}, true],
    ['304 with a length', ['HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'], {}, true],
    ['HEAD with a length', ['HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n'], {head: true}, true],
    ['a field that only looks hop-by-hop', ['HTTP/1.1 200 OK\r\nX-Connection: close\r\nTEA: 1\r\nContent-Length: 0\r\n\r\n'], {}, true],
    ['a status past 599', ['HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n'], {}, true],
    ['HTTP/1.0', ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['Connection: keep-alive', ['HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['Keep-Alive', ['HTTP/1.1 200 OK\r\nkeep-alive: timeout=5\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['Proxy-Connection', ['HTTP/1.1 200 OK\r\nProxy-Connection: x\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['Proxy-Authenticate', ['HTTP/1.1 200 OK\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['TE', ['HTTP/1.1 200 OK\r\nTE: trailers\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['Trailer', ['HTTP/1.1 200 OK\r\nTrailer: X-T\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'], {}, false],
    ['Upgrade', ['HTTP/1.1 200 OK\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['Expect', ['HTTP/1.1 200 OK\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['framed by the close', ['HTTP/1.1 200 OK\r\n\r\nraw'], {}, false],
    ['HEAD with Transfer-Encoding', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'], {head: true}, false],
    ['204 with Transfer-Encoding', ['HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n'], {}, false],
    ['a status with a leading zero', ['HTTP/1.1 042 Odd\r\nContent-Length: 0\r\n\r\n'], {}, false],
    ['after 100 Continue', ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'], {}, false],
  ]
  for (const [name, parts, opts, clean] of cases) {
    test(`${clean ? 'clean' : 'not clean'}: ${name}`, () => {
      const r = new ResponseReader(opts.head)
      for (const p of parts) r.feed(Buffer.from(p, 'latin1'))
      assert.ok(r.head)
      assert.equal(r.head.clean, clean)
      if (clean) assert.equal(r.head.raw.toString('latin1'), parts.join('').slice(0, parts.join('').indexOf('\r\n\r\n') + 4))
    })
  }

  test('raw: the final head only, after a 1xx, and whole when it arrived in pieces', () => {
    const r = new ResponseReader()
    for (const p of ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Cre', 'ated\r\nContent-Length: 2\r\n', '\r\n{}']) r.feed(Buffer.from(p, 'latin1'))
    assert.equal(r.head?.raw.toString('latin1'), 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n')
    assert.equal(r.head?.reason, 'Created')
    assert.deepEqual(r.head?.rawHeaders, ['Content-Length', '2'])
  })

  // The point of `clean`: what a client's parser (node's llhttp) reads from the raw head is what it
  // reads from the rebuilt one (field order aside: the rebuild moves Transfer-Encoding last and
  // spells it `chunked`, a coding name in any case meaning the same).
  const {HTTPParser} = createRequire(import.meta.url)('_http_common')
  function llhttp(head: string): string {
    const parser = new HTTPParser()
    parser.initialize(HTTPParser.RESPONSE, {}, 1 << 20, HTTPParser.kLenientNone)
    let got = 'no head'
    parser[HTTPParser.kOnHeadersComplete] = (major: number, minor: number, headers: string[], _m: unknown, _u: unknown, status: number, reason: string, upgrade: boolean, keepAlive: boolean) => {
      const fields: string[] = []
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i].toLowerCase()
        fields.push(`${name}: ${name === 'transfer-encoding' ? headers[i + 1].toLowerCase() : headers[i + 1]}`)
      }

      got = JSON.stringify({fields: fields.sort(), keepAlive, major, minor, reason: reason.trim(), status, upgrade})
      return 1 // no body: only the head is compared
    }

    const r = parser.execute(Buffer.from(head, 'latin1'))
    return r instanceof Error ? `refused (${(r as Error & {code: string}).code})` : got
  }

  test('property: a clean head means to a client what its rebuild means', () => {
    let clean = 0
    fc.assert(
      fc.property(headText, fc.boolean(), (wire, noBody) => {
        const head = scanHead(wire, wire.indexOf('\r\n\r\n'), noBody)
        if (!head?.clean) return
        clean++
        assert.equal(llhttp(head.raw.toString('latin1')), llhttp(responseHead(head, false)), JSON.stringify(head.raw.toString('latin1')))
      }),
      {numRuns: 3000},
    )
    assert.ok(clean > 40, `${clean} clean heads`)
  })
})

describe('ResponseReader: reset', () => {
  const answers: Array<[string, string, boolean]> = [
    ['length', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc', false],
    ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n', false],
    ['HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n', true],
    ['204', 'HTTP/1.1 204 No Content\r\n\r\n', false],
    ['after 100 Continue', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', false],
  ]

  function snapshot(r: ResponseReader, body: string): unknown {
    return {body, clean: r.head?.clean, done: r.done, extra: r.extra?.toString('latin1'), framing: r.head?.framing, keepAlive: r.head?.keepAlive, payload: r.payload, raw: r.head?.raw.toString('latin1'), status: r.head?.status}
  }

  function readWith(r: ResponseReader, wire: string, cuts: number[]): unknown {
    let body = ''
    let last = 0
    for (const c of [...cuts.map((x) => x % (wire.length + 1)).sort((a, b) => a - b), wire.length]) {
      body += r.feed(Buffer.from(wire.slice(last, c), 'latin1')).toString('latin1')
      last = c
    }

    return snapshot(r, body)
  }

  test('property: one reader reset between answers reads each as a new reader does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(answers.length - 1), fc.array(fc.nat(), {maxLength: 4})), {maxLength: 6, minLength: 1}), (seq) => {
        const reused = new ResponseReader(answers[seq[0][0]][2])
        for (const [i, [n, cuts]] of seq.entries()) {
          const [, wire, head] = answers[n]
          if (i > 0) reused.reset(head)
          assert.deepEqual(readWith(reused, wire, cuts), readWith(new ResponseReader(head), wire, cuts))
        }
      }),
      {numRuns: 300},
    )
  })

  test('mid-answer (inside a chunk, and inside a head): the next answer starts afresh', () => {
    const r = new ResponseReader()
    r.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01234', 'latin1'))
    r.reset(false)
    assert.equal(r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX', 'latin1')).toString(), 'ok')
    assert.deepEqual([r.done, r.payload, r.extra?.toString()], [true, 2, 'X'])
    r.reset(false)
    r.feed(Buffer.from('HTTP/1.1 200 OK\r\nX-A: 1', 'latin1'))
    r.reset(true)
    r.feed(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n', 'latin1'))
    assert.deepEqual([r.done, r.head?.status, r.extra], [true, 204, undefined])
  })

  test('extra is dropped by reset; fed again, it is the next answer', () => {
    const r = new ResponseReader()
    r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb', 'latin1'))
    const extra = r.extra!
    r.reset(false)
    assert.equal(r.extra, undefined)
    assert.equal(r.feed(extra).toString(), 'b')
    assert.equal(r.done, true)
  })

  test('HEAD then GET: noBody follows reset', () => {
    const r = new ResponseReader(true)
    r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n', 'latin1'))
    assert.equal(r.done, true)
    r.reset(false)
    assert.equal(r.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc', 'latin1')).toString(), 'abc')
    assert.equal(r.head?.framing.kind, 'length')
  })
})
