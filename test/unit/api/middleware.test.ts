import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {assembleMiddleware, MIDDLEWARE_POSITIONS, MiddlewareError} from '../../../src/api/middleware.js'
import {middlewareOf} from '../../../src/api/server.js'
import type {ApiCall, ApiObservation, Middleware, PluginMiddleware} from '../../../src/api/types.js'
import {rawExchange, request, startServer} from './helpers.js'

const noop = (): void => {}
const BUILTINS: Middleware[] = MIDDLEWARE_POSITIONS.map((name) => ({name, request: noop}))
const names = (list: Middleware[]) => list.map((m) => m.name)
const mw = (name: string, at: Partial<PluginMiddleware>): PluginMiddleware => ({name, request: noop, ...at})

describe('middleware list: positions', {timeout: 5_000}, () => {
  test('the built-ins alone, in order', () => {
    assert.deepEqual(names(assembleMiddleware(BUILTINS)), ['version', 'identity', 'authorization', 'observe', 'route'])
  })

  const table: [string, Array<{plugin: string; middleware: PluginMiddleware[]}>, string[]][] = [
    ['after identity', [{plugin: 'p', middleware: [mw('a', {after: 'identity'})]}], ['version', 'identity', 'a', 'authorization', 'observe', 'route']],
    ['before authorization', [{plugin: 'p', middleware: [mw('a', {before: 'authorization'})]}], ['version', 'identity', 'a', 'authorization', 'observe', 'route']],
    ['before version: first of all', [{plugin: 'p', middleware: [mw('a', {before: 'version'})]}], ['a', 'version', 'identity', 'authorization', 'observe', 'route']],
    ['before route: last before the handler', [{plugin: 'p', middleware: [mw('a', {before: 'route'})]}], ['version', 'identity', 'authorization', 'observe', 'a', 'route']],
    [
      'several at one position keep the plugins\' order',
      [
        {plugin: 'p', middleware: [mw('a', {after: 'version'}), mw('b', {after: 'version'})]},
        {plugin: 'q', middleware: [mw('c', {after: 'version'}), mw('d', {before: 'identity'})]},
      ],
      ['version', 'a', 'b', 'c', 'd', 'identity', 'authorization', 'observe', 'route'],
    ],
    [
      'after X and before the next built-in: after-X first',
      [{plugin: 'p', middleware: [mw('late', {before: 'observe'}), mw('early', {after: 'authorization'})]}],
      ['version', 'identity', 'authorization', 'early', 'late', 'observe', 'route'],
    ],
  ]
  for (const [what, contributions, want] of table) {
    test(what, () => assert.deepEqual(names(assembleMiddleware(BUILTINS, contributions)), want))
  }
})

describe('middleware list: refusals name the plugin', {timeout: 5_000}, () => {
  const table: [string, PluginMiddleware, RegExp][] = [
    ['unknown position', mw('a', {after: 'auth' as PluginMiddleware['after']}), /^plugin p: middleware "a": unknown position after "auth" \(known positions: version, identity, authorization, observe, route\)$/],
    ['unknown before', mw('a', {before: 'nope' as PluginMiddleware['before']}), /^plugin p: middleware "a": unknown position before "nope"/],
    ['no position', mw('a', {}), /^plugin p: middleware "a": give exactly one position, "after" or "before"/],
    ['two positions', mw('a', {after: 'version', before: 'route'}), /give exactly one position/],
    ['after route', mw('a', {after: 'route'}), /nothing runs after "route"/],
    ['no name', mw('', {after: 'version'}), /^plugin p: a middleware without a name$/],
    ['a built-in\'s name', mw('identity', {after: 'version'}), /middleware "identity": the name is already in the list/],
    ['no hook', {after: 'version', name: 'a'}, /neither a request nor a done hook/],
    ['request not a function', {after: 'version', name: 'a', request: 'x' as unknown as () => void}, /request is not a function/],
  ]
  for (const [what, m, message] of table) {
    test(what, () => {
      assert.throws(
        () => assembleMiddleware(BUILTINS, [{middleware: [m], plugin: 'p'}]),
        (error: unknown) => error instanceof MiddlewareError && error.plugin === 'p' && message.test(error.message),
      )
    })
  }

  test('a name used by two plugins: the second is refused', () => {
    assert.throws(
      () => assembleMiddleware(BUILTINS, [{middleware: [mw('a', {after: 'version'})], plugin: 'p'}, {middleware: [mw('a', {after: 'identity'})], plugin: 'q'}]),
      /plugin q: middleware "a": the name is already in the list$/,
    )
  })
})

describe('middleware list: requests through a server', {timeout: 20_000}, () => {
  test('the server\'s list: built-ins with the plugins\' middleware at their positions', async () => {
    const h = await startServer({}, {middleware: [{middleware: [mw('tag', {after: 'identity'})], plugin: 'p'}]})
    try {
      assert.deepEqual(middlewareOf(h.server), ['version', 'identity', 'tag', 'authorization', 'observe', 'route'])
    } finally {
      await h.close()
    }
  })

  test('a header added after identity goes out with the route\'s answer; the caller is known by then', async () => {
    const seen: string[] = []
    const tag: PluginMiddleware = {
      after: 'identity',
      name: 'tag',
      request(call: ApiCall) {
        seen.push(`${call.method} ${call.path} ${call.route} v${call.version} ${call.identity?.method}`)
        call.res.setHeader('X-Tag', 'yes')
      },
    }
    const h = await startServer({}, {middleware: [{middleware: [tag], plugin: 'p'}]})
    try {
      const r = await request(h.socketPath, '/v1.44/_ping')
      assert.equal(r.status, 200)
      assert.equal(r.body, 'OK')
      assert.equal(r.headers['x-tag'], 'yes')
      // Still one sorted head: the plugin's header among the daemon's.
      assert.deepEqual(
        r.raw.map(([k]) => k),
        ['Api-Version', 'Builder-Version', 'Cache-Control', 'Content-Type', 'Docker-Experimental', 'Ostype', 'Pragma', 'Server', 'Swarm', 'X-Tag', 'Content-Length', 'Date', 'Connection'],
      )
      const v = await request(h.socketPath, '/version')
      assert.equal(v.headers['x-tag'], 'yes')
      assert.deepEqual(seen, ['GET /_ping /_ping v1.44 unix', 'GET /version /version v1.56 unix'])
    } finally {
      await h.close()
    }
  })

  test('a refusal before authorization ends the list: no authorization, no route; observers still see it', async () => {
    const asked: string[] = []
    const observed: ApiObservation[] = []
    const done: string[] = []
    const guard: PluginMiddleware = {
      before: 'authorization',
      done: (call, o) => done.push(`${call.path} ${o.status}`),
      name: 'guard',
      request(call) {
        if (call.path === '/info') call.refuse(403, 'no /info for you')
      },
    }
    const h = await startServer(
      {
        authorize: (_req, target) => {
          asked.push(target.path)
          return undefined
        },
        observe: (o) => observed.push(o),
      },
      {middleware: [{middleware: [guard], plugin: 'p'}]},
    )
    try {
      const r = await request(h.socketPath, '/v1.41/info')
      assert.equal(r.status, 403)
      assert.equal(r.body, '{"message":"no /info for you"}\n')
      // The version middleware ran first: its headers are there.
      assert.equal(r.headers['api-version'], '1.56')
      const ok = await request(h.socketPath, '/_ping')
      assert.equal(ok.status, 200)
      assert.deepEqual(asked, ['/_ping'])
      assert.deepEqual(done, ['/info 403', '/_ping 200'])
      assert.deepEqual(observed.map((o) => `${o.route} ${o.status} ${o.identity?.method}`), ['/info 403 unix', '/_ping 200 unix'])
    } finally {
      await h.close()
    }
  })

  test('an async middleware is awaited; a throwing one answers 500 and the list stops', async () => {
    let routed = 0
    const slow: PluginMiddleware = {
      async request(call) {
        await new Promise((resolve) => setTimeout(resolve, 5))
        if (call.path === '/version') throw new Error('boom')
        call.res.setHeader('X-Slow', '1')
      },
      before: 'route',
      name: 'slow',
    }
    const count: PluginMiddleware = {
      before: 'route',
      name: 'count',
      request() {
        routed++
      },
    }
    const h = await startServer({}, {middleware: [{middleware: [slow, count], plugin: 'p'}]})
    try {
      const r = await request(h.socketPath, '/_ping')
      assert.equal(r.headers['x-slow'], '1')
      const v = await request(h.socketPath, '/version')
      assert.equal(v.status, 500)
      assert.equal(v.body, '{"message":"internal server error"}\n')
      assert.equal(routed, 1)
    } finally {
      await h.close()
    }
  })

  test('an upgrading request goes through the same list before it is forwarded', async () => {
    const seen: string[] = []
    const watch: PluginMiddleware = {
      after: 'authorization',
      name: 'watch',
      request(call) {
        seen.push(`${call.method} ${call.path} upgrade=${call.upgrade !== undefined} forwarded=${call.forwarded} ${call.identity?.method}`)
        if (call.path.endsWith('/attach')) call.refuse(403, 'no attaching')
      },
    }
    const asked: string[] = []
    const h = await startServer({authorize: (_req, t) => void asked.push(`${t.path} ${t.upgrade !== undefined}`)}, {middleware: [{middleware: [watch], plugin: 'p'}]})
    try {
      const reply = await rawExchange(h.socketPath, 'POST /v1.44/containers/abc/attach?stream=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n')
      assert.match(reply, /^HTTP\/1\.1 403 Forbidden\r\n/)
      assert.match(reply, /\r\n\r\n\{"message":"no attaching"\}\n$/)
      assert.deepEqual(seen, ['POST /containers/abc/attach upgrade=true forwarded=false unix'])
      assert.deepEqual(asked, ['/containers/abc/attach true'])
    } finally {
      await h.close()
    }
  })
})
