// The fast path's answer heads behind node:http's server (the connection front off, so that every
// request takes fast.ts): a clean head goes down as the upstream's bytes, `Connection: close`
// added when the client's connection closes; an unclean one is rebuilt. The upstream is a raw
// socket server writing scripted answers, Go-like (no Connection or Keep-Alive of its own).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'

import type {DockerdPlugin} from '../../../../src/plugins/types.js'
import type {Harness} from '../../api/helpers.js'
import {engineServer, getHead, pluginContext, startEnginePlugin} from './fake-engine.js'

const PING = 'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK'
const JSON_HEAD = 'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\ncontent-type:application/json  \r\nContent-Length: 3\r\n\r\n'

/** Answers by request path: the parts are written 20 ms apart (a head and its body in separate chunks). */
const ANSWERS: Record<string, string[]> = {
  '/_ping': [PING],
  '/v1.41/chunked': ['HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\nContent-Type: text/plain\r\n\r\n3\r\nabc\r\n', '0\r\n\r\n'],
  '/v1.41/continue': ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}'],
  '/v1.41/http10': ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}'],
  '/v1.41/json': [JSON_HEAD + '[]\n'],
  '/v1.41/keepalive': ['HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nX-A: 1\r\nContent-Length: 2\r\n\r\n{}'],
  '/v1.41/split': [JSON_HEAD, '[]\n'],
}

interface Upstream {
  sock: string
  server: net.Server
}

async function upstream(sock: string): Promise<Upstream> {
  const server = net.createServer((s) => {
    let rest = ''
    s.on('error', () => {})
    s.on('data', (d: Buffer) => {
      rest += d.toString('latin1')
      let i
      while ((i = rest.indexOf('\r\n\r\n')) >= 0) {
        const [method, url] = rest.slice(0, rest.indexOf('\r\n')).split(' ')
        rest = rest.slice(i + 4)
        const parts = ANSWERS[url] ?? ['HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n']
        // HEAD: the head only (the first part's bytes up to its empty line).
        if (method === 'HEAD') s.write(parts[0].slice(0, parts[0].indexOf('\r\n\r\n') + 4))
        else parts.forEach((p, n) => setTimeout(() => s.write(p), 20 * n))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(sock, resolve))
  return {server, sock}
}

/**
 * One client connection: each request is written once the answer to the one before has `length`
 * bytes; the last one asks for the connection to close, and what came down is returned at the end.
 */
function converse(socketPath: string, requests: Array<[string, number]>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath)
    const answers: string[] = []
    let out = ''
    let n = 0
    const next = (): void => {
      sock.write(requests[n][0])
    }

    sock.on('connect', next)
    sock.on('data', (c: Buffer) => {
      out += c.toString('latin1')
      while (n < requests.length - 1 && out.length >= requests[n][1]) {
        answers.push(out.slice(0, requests[n][1]))
        out = out.slice(requests[n][1])
        n++
        next()
      }
    })
    sock.on('error', reject)
    sock.on('close', () => {
      answers.push(out)
      resolve(answers)
    })
    setTimeout(() => reject(new Error(`no close; got ${JSON.stringify([...answers, out])}`)), 3_000).unref()
  })
}

const get = getHead
const closing = (p: string, method = 'GET'): string => `${method} ${p} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n`
/** A clean head with `Connection: close` before its empty line. */
const withClose = (answer: string): string => answer.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')

describe('fast path: answer heads', () => {
  let dir: string
  let up: Upstream
  let plugin: DockerdPlugin
  let front: Harness

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-fast-'))
    up = await upstream(path.join(dir, 'engine.sock'))
    plugin = await startEnginePlugin(up.sock)
    front = await engineServer(plugin, {front: false}, {maxApiVersion: '1.41'})
  })

  after(async () => {
    await front?.close()
    await plugin?.shutdown?.(pluginContext({}))
    await new Promise<void>((resolve) => up?.server.close(() => resolve()))
    fs.rmSync(dir, {force: true, recursive: true})
  })

  test('a clean head and its body go down as the upstream wrote them, the connection kept', async () => {
    const answer = JSON_HEAD + '[]\n'
    const got = await converse(front.socketPath, [
      [get('/v1.41/json'), answer.length],
      [get('/v1.41/split'), answer.length],
      [closing('/v1.41/json'), 0],
    ])
    assert.deepEqual(got, [answer, answer, withClose(answer)])
  })

  test('a chunked answer with a clean head: the same bytes, its body in two chunks', async () => {
    const answer = ANSWERS['/v1.41/chunked'].join('')
    assert.deepEqual(await converse(front.socketPath, [[get('/v1.41/chunked'), answer.length], [closing('/v1.41/chunked'), 0]]), [answer, withClose(answer)])
  })

  test('HEAD: the clean head alone', async () => {
    const head = JSON_HEAD
    assert.deepEqual(await converse(front.socketPath, [[`HEAD /v1.41/json HTTP/1.1\r\nHost: docker\r\n\r\n`, head.length], [closing('/v1.41/json', 'HEAD'), 0]]), [head, withClose(head)])
  })

  test('a client that asks for the connection to close gets Connection: close added, once', async () => {
    const [got] = await converse(front.socketPath, [[closing('/v1.41/json'), 0]])
    assert.equal(got, withClose(JSON_HEAD + '[]\n'))
    assert.equal(got.match(/connection:/gi)?.length, 1)
  })

  const rebuilt: Array<[string, string, string]> = [
    ['a Keep-Alive field', '/v1.41/keepalive', 'HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'],
    ['an HTTP/1.0 answer', '/v1.41/http10', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'],
    ['an answer after 100 Continue', '/v1.41/continue', 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'],
  ]
  for (const [name, p, want] of rebuilt) {
    test(`rebuilt, not copied: ${name}`, async () => {
      assert.deepEqual(await converse(front.socketPath, [[closing(p), 0]]), [want])
    })
  }
})
