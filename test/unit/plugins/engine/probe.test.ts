// The upstream's health probe (HEAD /_ping on a raw connection, its head read by the fast path's
// parser) against raw-socket upstreams that answer each way an engine, or something else, can.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'

import {parseEngineHost} from '../../../../src/plugins/builtin/engine/address.js'
import {loadNetModules, Upstream} from '../../../../src/plugins/builtin/engine/upstream.js'

const quietLog = {debug() {}, error() {}, info() {}, warn() {}} as never

/** An upstream that answers the first request on each connection with `chunks`, then does `after`. */
async function rawUpstream(sock: string, chunks: string[], after: 'keep' | 'end' | 'destroy' = 'keep'): Promise<{requests: string[]; close(): void}> {
  const requests: string[] = []
  const server = net.createServer((s) => {
    s.on('error', () => {})
    s.once('data', (d) => {
      requests.push(d.toString('latin1'))
      for (const c of chunks) s.write(c)
      if (after === 'end') s.end()
      if (after === 'destroy') s.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(sock, resolve))
  return {close: () => server.close(), requests}
}

async function probe(chunks: string[] | undefined, after?: 'keep' | 'end' | 'destroy') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-probe-'))
  const sock = path.join(dir, 'e.sock')
  const up = chunks ? await rawUpstream(sock, chunks, after) : undefined
  const upstream = new Upstream(await loadNetModules(), parseEngineHost(`unix://${sock}`), undefined, quietLog)
  try {
    const ok = await upstream.probe()
    return {ok, ping: upstream.ping(), problem: upstream.problem()?.replaceAll(sock, '<sock>'), requests: up?.requests ?? []}
  } finally {
    upstream.close()
    up?.close()
    fs.rmSync(dir, {force: true, recursive: true})
  }
}

const GOOD = 'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nBuilder-Version: 2\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: Docker/20.10.24 (linux)\r\nSwarm: inactive\r\nContent-Length: 0\r\n\r\n'

describe('engine upstream probe', () => {
  test('a Docker engine: up, with what its /_ping said', async () => {
    const r = await probe([GOOD])
    assert.equal(r.ok, true)
    assert.equal(r.problem, undefined)
    assert.deepEqual(r.ping, {apiVersion: '1.41', builderVersion: '2', experimental: 'false', osType: 'linux', swarm: 'inactive'})
    assert.equal(r.requests[0], 'HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n')
  })

  test('the head in pieces, header names in any case, a HEAD answer with a length but no body', async () => {
    const text = 'HTTP/1.1 200 OK\r\nAPI-VERSION: 1.43\r\nostype: linux\r\nContent-Length: 2\r\n\r\n'
    const r = await probe([text.slice(0, 5), text.slice(5, 30), text.slice(30)])
    assert.equal(r.ok, true)
    assert.equal(r.ping?.apiVersion, '1.43')
    assert.equal(r.ping?.osType, 'linux')
    assert.equal(r.ping?.swarm, undefined)
  })

  const down: Array<[string, string[] | undefined, 'keep' | 'end' | 'destroy' | undefined, RegExp]> = [
    ['nothing listening', undefined, undefined, /^dial unix <sock>: connect: no such file or directory$/],
    ['an answer other than 200', ['HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'], 'keep', /^the engine at unix:\/\/<sock> answered 404 to \/_ping$/],
    ['200 without Api-Version', ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'], 'keep', /answered 200 to \/_ping$/],
    ['not HTTP', ['SSH-2.0-OpenSSH_9.2\r\n\r\n'], 'keep', /^its answer is not HTTP/],
    ['closed without an answer', [], 'end', /^read unix <sock>: connection reset by peer$/],
    ['closed in the middle of the head', ['HTTP/1.1 200 OK\r\nApi-Ver'], 'destroy', /^read unix <sock>: connection reset by peer$/],
  ]
  for (const [name, chunks, after, problem] of down) {
    test(`down: ${name}`, async () => {
      const r = await probe(chunks, after)
      assert.equal(r.ok, false)
      assert.match(r.problem ?? '', problem)
      assert.equal(r.ping, undefined)
    })
  }
})
