// Forwarding with what authorization decided: a buffered body sent as exactly those bytes with its
// own length, and a JSON answer filtered (or, when it cannot be, not sent at all).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'

import {parseEngineHost} from '../../../../src/plugins/builtin/engine/address.js'
import {forwardRequest} from '../../../../src/plugins/builtin/engine/forward.js'
import {loadNetModules, Upstream} from '../../../../src/plugins/builtin/engine/upstream.js'
import type {ForwardOptions} from '../../../../src/api/types.js'

const quiet = {debug() {}, error() {}, info() {}, warn() {}} as never

describe('forwarding with an authorization verdict', () => {
  let dir: string
  let engine: http.Server
  let front: http.Server
  let upstream: Upstream
  const seen: Array<{body: string; headers: http.IncomingHttpHeaders}> = []
  let options: ForwardOptions = {}

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-filter-'))
    engine = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen.push({body: Buffer.concat(chunks).toString(), headers: req.headers})
        const kind = (req.url ?? '').split('?')[1] ?? 'json'
        if (kind === 'text') res.writeHead(200, {'Content-Type': 'text/plain'}).end('[{"Id":"hidden"}]')
        else if (kind === 'broken') res.writeHead(200, {'Content-Type': 'application/json'}).end('[{"Id":')
        else if (kind === 'error') res.writeHead(500, {'Content-Type': 'application/json'}).end('{"message":"boom"}\n')
        else res.writeHead(200, {'Content-Type': 'application/json'}).end('[{"Id":"a","Labels":{"o":"me"}},{"Id":"b","Labels":{"o":"you"}}]\n')
      })
    })
    await new Promise<void>((r) => engine.listen(path.join(dir, 'engine.sock'), r))
    upstream = new Upstream(await loadNetModules(), parseEngineHost(`unix://${path.join(dir, 'engine.sock')}`, false), undefined, quiet)
    front = http.createServer((req, res) => forwardRequest(req, res, {method: req.method!, path: '/containers/json', uri: req.url!, urlVersion: ''}, upstream, options))
    await new Promise<void>((r) => front.listen(path.join(dir, 'front.sock'), r))
  })

  after(async () => {
    upstream.close()
    await new Promise((r) => front.close(r))
    await new Promise((r) => engine.close(r))
    fs.rmSync(dir, {force: true, recursive: true})
  })

  const call = (uri: string, method = 'GET', body?: string, headers: Record<string, string> = {}) =>
    new Promise<{status: number; body: string; headers: http.IncomingHttpHeaders}>((resolve, reject) => {
      const req = http.request({headers, method, path: uri, socketPath: path.join(dir, 'front.sock')}, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({body: text, headers: res.headers, status: res.statusCode ?? 0}))
      })
      req.on('error', reject)
      req.end(body)
    })

  const mine = {json: (b: unknown) => (b as Array<{Labels: {o: string}}>).filter((c) => c.Labels.o === 'me')}

  it('filters a JSON list and sends it with its new length', async () => {
    options = {response: mine}
    const r = await call('/containers/json')
    assert.equal(r.status, 200)
    assert.deepEqual(JSON.parse(r.body), [{Id: 'a', Labels: {o: 'me'}}])
    assert.equal(r.headers['content-length'], String(Buffer.byteLength(r.body)))
  })

  for (const [kind, status] of [['text', 502], ['broken', 502], ['error', 500]] as const) {
    it(`an answer that is ${kind}: ${status}, and nothing unfiltered`, async () => {
      options = {response: mine}
      const r = await call(`/containers/json?${kind}`)
      assert.equal(r.status, status)
      assert.doesNotMatch(r.body, /hidden|"Id"/)
    })
  }

  it('sends the buffered body, not the client\'s framing', async () => {
    options = {body: Buffer.from('{"x":1}')}
    seen.length = 0
    const r = await call('/containers/create', 'POST', '{"x":1}', {'Transfer-Encoding': 'chunked'})
    assert.equal(r.status, 200)
    assert.equal(seen[0]!.body, '{"x":1}')
    assert.equal(seen[0]!.headers['content-length'], '7')
    assert.equal(seen[0]!.headers['transfer-encoding'], undefined)
    options = {body: Buffer.alloc(0)}
    await call('/containers/create', 'POST', '', {'Transfer-Encoding': 'chunked'})
    assert.equal(seen[1]!.headers['content-length'], '0')
  })
})
