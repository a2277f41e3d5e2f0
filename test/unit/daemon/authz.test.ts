// The authorization middleware's pure parts: caller identity from certificates, what the daemon
// reads of a body for the policy, the inspection limit, and the audit line.
import assert from 'node:assert/strict'
import {PassThrough} from 'node:stream'
import {describe, it} from 'node:test'

import {certificateName, commonNameOf, identityOf, splitSubjectAltName, tagSocket} from '../../../src/api/identity.js'
import type {ApiObservation, AuthzTarget} from '../../../src/api/types.js'
import {authzFlags, bodyLimitOf, DEFAULT_BODY_LIMIT, inspectBody, isJsonContentType} from '../../../src/daemon/authz.js'
import {auditRecord} from '../../../src/plugins/builtin/audit.js'

describe('caller identity from a verified certificate', () => {
  for (const [text, want] of [
    ['DNS:a.example, DNS:b.example', ['DNS:a.example', 'DNS:b.example']],
    ['IP Address:127.0.0.1, email:alice@example.com', ['IP Address:127.0.0.1', 'email:alice@example.com']],
    ['URI:"spiffe://x/y, z"', ['URI:spiffe://x/y, z']],
    ['', []],
    [undefined, []],
  ] as const) {
    it(`subjectaltname ${JSON.stringify(text)}`, () => assert.deepEqual(splitSubjectAltName(text), want))
  }

  it('several CNs: the last, as Go reads it; none: the first SAN', () => {
    assert.equal(commonNameOf({subject: {CN: ['first', 'second']}} as never), 'second')
    assert.equal(commonNameOf({subject: {CN: 'only'}} as never), 'only')
    assert.equal(commonNameOf({subject: {O: 'x'}} as never), '')
    assert.equal(certificateName('', ['DNS:svc.example', 'email:a@b']), 'svc.example')
    assert.equal(certificateName('cn', ['DNS:svc.example']), 'cn')
    assert.equal(certificateName('', []), '')
  })

  it('sockets: tls without a verified certificate is nobody; plain tcp; unix', () => {
    const tlsSock = {authorized: false, encrypted: true, remoteAddress: '127.0.0.1', remotePort: 5}
    tagSocket(tlsSock, 'tcp://0.0.0.0:2376')
    assert.deepEqual(identityOf(tlsSock as never), {address: '127.0.0.1:5', cn: '', listener: 'tcp://0.0.0.0:2376', method: 'tls', name: '', sans: []})
    const verified = {authorized: true, encrypted: true, getPeerCertificate: () => ({subject: {CN: 'alice'}, subjectaltname: 'DNS:alice'}), remoteAddress: '::1', remotePort: 6}
    tagSocket(verified, 'tcp://[::1]:2376')
    assert.deepEqual(identityOf(verified as never), {address: '[::1]:6', cn: 'alice', listener: 'tcp://[::1]:2376', method: 'tls', name: 'alice', sans: ['DNS:alice']})
    const tcp = {remoteAddress: '10.0.0.1', remotePort: 7}
    tagSocket(tcp, 'tcp://0.0.0.0:2375')
    assert.equal(identityOf(tcp as never).method, 'tcp')
    const unix = {}
    tagSocket(unix, 'unix:///run/docker.sock')
    assert.deepEqual(identityOf(unix as never), {listener: 'unix:///run/docker.sock', method: 'unix', name: ''})
  })
})

describe('the body a policy sees', () => {
  const target = (extra: Partial<AuthzTarget> = {}): AuthzTarget => ({forwarded: true, method: 'POST', path: '/containers/create', route: '/containers/create', uri: '/containers/create', ...extra})
  const req = (headers: Record<string, string>, chunks: string[]) => {
    const s = new PassThrough() as PassThrough & {headers: Record<string, string>}
    s.headers = headers
    for (const c of chunks) s.write(c)
    s.end()
    return s
  }

  it('reads the whole body under the limit, chunked or not', async () => {
    assert.deepEqual(await inspectBody(req({'content-length': '7', 'content-type': 'application/json'}, ['{"a":1}']) as never, target(), 100), {body: Buffer.from('{"a":1}')})
    assert.deepEqual(await inspectBody(req({'content-type': 'application/json; charset=utf-8', 'transfer-encoding': 'chunked'}, ['{"a"', ':1}']) as never, target(), 100), {body: Buffer.from('{"a":1}')})
    assert.deepEqual(await inspectBody(req({'content-length': '0'}, []) as never, target(), 100), {body: Buffer.alloc(0)})
  })

  for (const [what, headers, chunks, status] of [
    ['declared over the limit', {'content-length': '101', 'content-type': 'application/json'}, [], 413],
    ['counted over the limit while chunked', {'content-type': 'application/json', 'transfer-encoding': 'chunked'}, ['x'.repeat(60), 'x'.repeat(60)], 413],
    ['text/plain', {'content-length': '2', 'content-type': 'text/plain'}, ['{}'], 400],
    ['no content type', {'content-length': '2'}, ['{}'], 400],
    ['application/jsonx', {'content-length': '2', 'content-type': 'application/jsonx'}, ['{}'], 400],
  ] as const) {
    it(`refuses a body: ${what}`, async () => {
      const r = await inspectBody(req(headers, [...chunks]) as never, target(), 100)
      assert.ok('deny' in r)
      assert.equal(r.deny.status, status)
    })
  }

  it('an upgrading request: the body from the bytes after the head, and the rest kept', async () => {
    const socket = new PassThrough()
    // Two bytes of the body are still to come on the socket, then bytes that are not the body.
    const pending = inspectBody(req({'content-length': '4', 'content-type': 'application/json'}, []) as never, target({upgrade: {head: Buffer.from('{"'), socket}}), 100)
    socket.write('a"RAW')
    const got = await pending
    assert.ok(!('deny' in got))
    assert.equal(got.body?.toString(), '{"a"')
    assert.equal(got.head?.toString(), '{"a"RAW')
  })

  it('the inspection limit: bytes forms, never "no limit"', () => {
    assert.equal(bodyLimitOf(4096), 4096)
    assert.equal(bodyLimitOf('4k'), 4096)
    assert.equal(bodyLimitOf('2m'), 2 << 20)
    assert.equal(bodyLimitOf('lots'), DEFAULT_BODY_LIMIT)
    assert.equal(bodyLimitOf(undefined), DEFAULT_BODY_LIMIT)
    assert.equal(bodyLimitOf(Number.NaN), DEFAULT_BODY_LIMIT)
    // Validation refuses what the run time would only replace by the default.
    const validate = authzFlags.options.find((o) => o.name === 'authorization-body-limit')!.validate as (v: unknown) => string | undefined
    for (const ok of [0, 4096, '4k', Number.MAX_SAFE_INTEGER]) assert.equal(validate(ok), undefined, String(ok))
    for (const bad of [1e22, -1, -9223372036854775808, Number.MAX_SAFE_INTEGER + 1]) assert.match(validate(bad) ?? '', /^invalid authorization-body-limit: .*not a byte count from 0 to 9007199254740991$/, String(bad))
    assert.ok(isJsonContentType('Application/JSON ; charset=utf-8'))
    assert.ok(!isJsonContentType(undefined))
  })
})

describe('the audit line', () => {
  it('holds who, what, the decision and the rule, in a fixed order, and nothing else', () => {
    const o: ApiObservation = {
      authz: {allow: false, msg: 'no', plugin: 'policy', rule: 'bob'},
      bytes: 12,
      durationMs: 1.23456,
      forwarded: true,
      identity: {address: '127.0.0.1:5', cn: 'bob', listener: 'tcp://127.0.0.1:2376', method: 'tls', name: 'bob', sans: []},
      method: 'POST',
      path: '/containers/create',
      route: '/containers/create',
      status: 403,
    }
    const line = auditRecord(o, new Date(0))
    assert.deepEqual(line, {
      bytes: 12,
      decision: 'deny',
      duration_ms: 1.235,
      identity: {address: '127.0.0.1:5', method: 'tls', name: 'bob'},
      listener: 'tcp://127.0.0.1:2376',
      method: 'POST',
      path: '/containers/create',
      plugin: 'policy',
      route: '/containers/create',
      rule: 'bob',
      status: 403,
      time: '1970-01-01T00:00:00.000Z',
    })
    assert.deepEqual(Object.keys(line), ['time', 'listener', 'identity', 'method', 'path', 'route', 'decision', 'plugin', 'rule', 'status', 'bytes', 'duration_ms'])
    const unix = auditRecord({durationMs: 0, identity: {gid: 0, listener: 'unix:///s', method: 'unix', name: '', pid: 9, uid: 0}, method: 'GET', route: '', status: 200})
    assert.deepEqual([unix.decision, unix.identity], ['none', {gid: 0, method: 'unix', pid: 9, uid: 0}])
  })
})
