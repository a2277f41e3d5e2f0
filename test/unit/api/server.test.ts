import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import path from 'node:path'
import tls from 'node:tls'
import {after, before, describe, test} from 'node:test'

import {ApiError} from '../../../src/api/errors.js'
import {RUNTIME_VERSION} from '../../../src/api/routes/system.js'
import {closeGracefully, connectionCount, createApiServer, routerOf, serve} from '../../../src/api/server.js'
import type {ApiContext} from '../../../src/api/types.js'
import {
  makeContext,
  openStream,
  rawExchange,
  request,
  SERVER_VERSION,
  startServer,
  within,
  type Harness,
  type Reply,
} from './helpers.js'

// Headers Node adds on its own (Go sends Date and no keep-alive headers); compared apart.
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding'])
const apiHeaders = (r: Reply): [string, string][] => r.raw.filter(([k]) => !TRANSPORT.has(k.toLowerCase()))

async function withServer(overrides: Partial<ApiContext>, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startServer(overrides)
  try {
    await fn(h)
  } finally {
    await h.close()
  }
}

const unixSeconds = (ns: bigint): string => `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`

describe('API over a unix socket', {timeout: 30_000}, () => {
  let h: Harness
  before(async () => {
    h = await startServer({minApiVersion: '1.40'})
  })
  after(async () => {
    await h.close()
    assert.equal(fs.existsSync(h.dir), false, 'temp dir removed')
  })

  test('GET /_ping: body OK and exactly the real daemon\'s headers', async () => {
    const r = await request(h.socketPath, '/_ping')
    assert.equal(r.status, 200)
    assert.equal(r.body, 'OK')
    assert.deepEqual(apiHeaders(r), [
      ['Api-Version', '1.56'],
      ['Builder-Version', '2'],
      ['Cache-Control', 'no-cache, no-store, must-revalidate'],
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Docker-Experimental', 'false'],
      ['Ostype', 'linux'],
      ['Pragma', 'no-cache'],
      ['Server', `Docker/${SERVER_VERSION} (linux)`],
      ['Swarm', 'inactive'],
      ['Content-Length', '2'],
    ])
    assert.ok(r.headers.date)
  })

  test('HEAD /_ping: empty body, Content-Length 0, same headers', async () => {
    const r = await request(h.socketPath, '/_ping', {method: 'HEAD'})
    assert.equal(r.status, 200)
    assert.equal(r.body, '')
    assert.deepEqual(apiHeaders(r), [
      ['Api-Version', '1.56'],
      ['Builder-Version', '2'],
      ['Cache-Control', 'no-cache, no-store, must-revalidate'],
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Docker-Experimental', 'false'],
      ['Ostype', 'linux'],
      ['Pragma', 'no-cache'],
      ['Server', `Docker/${SERVER_VERSION} (linux)`],
      ['Swarm', 'inactive'],
      // dockerd sorts the explicit Content-Length of HEAD in with the rest; we always write it last.
      ['Content-Length', '0'],
    ])
  })

  for (const p of ['/v1.41/_ping', '/v1.56/_ping', '/v1.40/_ping']) {
    test(`GET ${p} is the same ping`, async () => {
      const r = await request(h.socketPath, p)
      assert.equal(r.status, 200)
      assert.equal(r.body, 'OK')
      assert.equal(r.headers['api-version'], '1.56')
    })
  }

  for (const p of ['/nope', '/v1.41/nope', '/_ping/', '/vabc/_ping']) {
    test(`GET ${p} → 404 page not found without middleware headers`, async () => {
      const r = await request(h.socketPath, p)
      assert.equal(r.status, 404)
      assert.equal(r.body, '{"message":"page not found"}\n')
      assert.equal(r.headers['content-type'], 'application/json')
      assert.equal(r.headers['api-version'], undefined)
      assert.equal(r.headers.server, undefined)
    })
  }

  for (const [method, p] of [
    ['POST', '/_ping'],
    ['DELETE', '/version'],
    ['HEAD', '/version'],
    ['PUT', '/v1.41/info'],
  ]) {
    test(`${method} ${p} (wrong method) → 404 page not found`, async () => {
      const r = await request(h.socketPath, p, {method})
      assert.equal(r.status, 404)
      if (method !== 'HEAD') assert.equal(r.body, '{"message":"page not found"}\n')
    })
  }

  test('too old (JSON for ≥ 1.24): 400 with Server/Api-Version/Ostype but no Docker-Experimental', async () => {
    const r = await request(h.socketPath, '/v1.39/version')
    assert.equal(r.status, 400)
    assert.equal(
      r.body,
      '{"message":"client version 1.39 is too old. Minimum supported API version is 1.40, please upgrade your client to a newer version"}\n',
    )
    assert.equal(r.headers['content-type'], 'application/json')
    assert.equal(r.headers.server, `Docker/${SERVER_VERSION} (linux)`)
    assert.equal(r.headers['api-version'], '1.56')
    assert.equal(r.headers.ostype, 'linux')
    assert.equal(r.headers['docker-experimental'], undefined)
  })

  for (const v of ['1.12', '0.1', '1']) {
    test(`too old below 1.24 (/v${v}) is plain text like http.Error`, async () => {
      const r = await request(h.socketPath, `/v${v}/_ping`)
      assert.equal(r.status, 400)
      assert.equal(
        r.body,
        `client version ${v} is too old. Minimum supported API version is 1.40, please upgrade your client to a newer version\n`,
      )
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8')
      assert.equal(r.headers['x-content-type-options'], 'nosniff')
      assert.equal(r.headers['api-version'], '1.56')
    })
  }

  for (const v of ['1.57', '9999.9999']) {
    test(`too new (/v${v}) → 400 JSON`, async () => {
      const r = await request(h.socketPath, `/v${v}/version`)
      assert.equal(r.status, 400)
      assert.equal(r.body, `{"message":"client version ${v} is too new. Maximum supported API version is 1.56"}\n`)
      assert.equal(r.headers.ostype, 'linux')
    })
  }

  test('GET /version: moby field order and TestVersion consistency with /info', async () => {
    const r = await request(h.socketPath, '/v1.44/version')
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'application/json')
    assert.ok(r.body.endsWith('}\n'))
    const v = JSON.parse(r.body)
    assert.deepEqual(Object.keys(v), ['Platform', 'Version', 'ApiVersion', 'MinAPIVersion', 'Os', 'Arch', 'Components', 'GitCommit', 'GoVersion', 'KernelVersion'])
    assert.deepEqual(v.Platform, {Name: ''})
    assert.equal(v.Version, SERVER_VERSION)
    assert.equal(v.ApiVersion, '1.56')
    assert.equal(v.MinAPIVersion, '1.40')
    assert.equal(v.GoVersion, RUNTIME_VERSION)
    const engine = v.Components.find((c: {Name: string}) => c.Name === 'Engine')
    assert.ok(engine)
    assert.deepEqual(Object.keys(engine.Details), ['ApiVersion', 'Arch', 'BuildTime', 'Experimental', 'GitCommit', 'GoVersion', 'KernelVersion', 'MinAPIVersion', 'Os'])
    assert.equal(engine.Details.ApiVersion, v.ApiVersion)
    assert.equal(engine.Details.MinAPIVersion, v.MinAPIVersion)
    assert.equal(engine.Details.KernelVersion, v.KernelVersion)
    const info = JSON.parse((await request(h.socketPath, '/info')).body)
    assert.equal(engine.Details.Os, info.OSType)
    assert.equal(engine.Details.Experimental === 'true', info.ExperimentalBuild)
  })

  test('GET /info serialises ctx.info() and passes the request API version', async () => {
    const r = await request(h.socketPath, '/v1.43/info')
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'application/json')
    assert.equal(JSON.parse(r.body).AskedVersion, '1.43')
    assert.equal(JSON.parse((await request(h.socketPath, '/info')).body).AskedVersion, '1.56')
  })

  test('OPTIONS on any path: 200, empty, middleware headers, no Content-Type', async () => {
    for (const p of ['/_ping', '/v1.41/anything/else', '/']) {
      const r = await request(h.socketPath, p, {method: 'OPTIONS'})
      assert.equal(r.status, 200)
      assert.equal(r.body, '')
      assert.equal(r.headers['content-length'], '0')
      assert.equal(r.headers['content-type'], undefined)
      assert.equal(r.headers['docker-experimental'], 'false')
      assert.equal(r.headers.server, `Docker/${SERVER_VERSION} (linux)`)
    }
  })

  test('non-canonical paths are redirected like gorilla/mux (301, query kept)', async () => {
    const r = await request(h.socketPath, '//_ping?x=1')
    assert.equal(r.status, 301)
    assert.equal(r.headers.location, '/_ping?x=1')
    assert.equal(r.body, '')
  })

  test('percent-encoded path segments are decoded before routing', async () => {
    const r = await request(h.socketPath, '/v1.41/%5Fping')
    assert.equal(r.status, 200)
  })

  test('debug log "Calling <METHOD> <URI>" for routed requests only', async () => {
    h.ctx.lines.length = 0
    await request(h.socketPath, '/v1.41/_ping?a=b')
    await request(h.socketPath, '/nope')
    assert.deepEqual(
      h.ctx.lines.filter((l) => l.level === 'debug').map((l) => l.msg),
      ['Calling GET /v1.41/_ping?a=b'],
    )
  })

  test('malformed request line → Go\'s raw 400 and the connection is closed', async () => {
    const out = await rawExchange(h.socketPath, 'NOT A VALID REQUEST\r\n\r\n')
    assert.equal(out, 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request')
  })

  test('bad percent escape in the path → 400 Bad Request, connection closed', async () => {
    const out = await rawExchange(h.socketPath, 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n')
    assert.match(out, /^HTTP\/1\.1 400 Bad Request\r\n/)
    assert.match(out, /\r\nConnection: close\r\n/)
    assert.ok(out.endsWith('\r\n\r\n400 Bad Request'))
  })

  test('HTTP/1.1 without Host → Go\'s 400 missing required Host header', async () => {
    const out = await rawExchange(h.socketPath, 'GET /_ping HTTP/1.1\r\n\r\n')
    assert.match(out, /^HTTP\/1\.1 400 Bad Request: missing required Host header\r\n/)
    assert.match(out, /\r\nConnection: close\r\n/)
    assert.ok(out.endsWith('\r\n\r\n400 Bad Request: missing required Host header'))
  })

  test('header block over 1 MiB → 431', async () => {
    const big = 'x'.repeat((1 << 20) + 1024)
    const out = await rawExchange(h.socketPath, `GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\n\r\n`)
    assert.match(out, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
  })

  test('a 64 KiB header (e.g. X-Registry-Config) is accepted', async () => {
    const r = await request(h.socketPath, '/_ping', {headers: {'X-Registry-Config': 'a'.repeat(64 * 1024)}})
    assert.equal(r.status, 200)
  })

  test('HTTP/1.0 and keep-alive reuse work', async () => {
    const out = await rawExchange(h.socketPath, 'GET /_ping HTTP/1.0\r\n\r\n')
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/)
    assert.ok(out.endsWith('\r\n\r\nOK'))
    const two = await new Promise<string>((resolve, reject) => {
      let data = ''
      const s = net.connect(h.socketPath, () => s.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nGET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
      s.setEncoding('utf8')
      s.on('data', (d: string) => (data += d))
      s.on('close', () => resolve(data))
      s.on('error', reject)
      setTimeout(() => s.destroy(), 3_000).unref()
    })
    assert.equal(two.match(/HTTP\/1\.1 200 OK/g)?.length, 2)
  })
})

describe('ping variants', {timeout: 20_000}, () => {
  test('experimental and buildkit feature, windows defaults', async () => {
    await withServer({experimental: () => true, features: () => ({buildkit: false})}, async (h) => {
      const r = await request(h.socketPath, '/_ping', {method: 'HEAD'})
      assert.equal(r.headers['docker-experimental'], 'true')
      assert.equal(r.headers['builder-version'], '1')
      const v = JSON.parse((await request(h.socketPath, '/version')).body)
      assert.equal(v.Experimental, true)
      assert.equal(v.Components[0].Details.Experimental, 'true')
    })
    await withServer({os: 'windows', swarmStatus: () => 'active/manager'}, async (h) => {
      const r = await request(h.socketPath, '/_ping')
      assert.equal(r.headers['builder-version'], '1')
      assert.equal(r.headers.ostype, 'windows')
      assert.equal(r.headers.server, `Docker/${SERVER_VERSION} (windows)`)
      assert.equal(r.headers.swarm, 'active/manager')
    })
  })
  test('debug lines are skipped when the logger says debug is off', async () => {
    const lines: string[] = []
    await withServer({log: {debug: (m) => lines.push(m), isLevelEnabled: () => false}}, async (h) => {
      await request(h.socketPath, '/_ping')
    })
    assert.deepEqual(lines, [])
  })
  test('/version optional fields: platform, build time, components with sorted details', async () => {
    await withServer(
      {
        platformName: 'Docker Engine - Community',
        buildTime: '2026-05-07T21:09:36.000000000+00:00',
        kernelVersion: '6.1.0',
        components: async () => [{Name: 'containerd', Version: '1.7.0', Details: {Zeta: '1', GitCommit: 'c0ffee'}}],
      },
      async (h) => {
        const v = JSON.parse((await request(h.socketPath, '/version')).body)
        assert.equal(v.Platform.Name, 'Docker Engine - Community')
        assert.equal(v.BuildTime, '2026-05-07T21:09:36.000000000+00:00')
        assert.equal(v.KernelVersion, '6.1.0')
        assert.deepEqual(v.Components.map((c: {Name: string}) => c.Name), ['Engine', 'containerd'])
        assert.deepEqual(Object.keys(v.Components[1].Details), ['GitCommit', 'Zeta'])
        assert.equal(Object.keys(v).at(-1), 'BuildTime')
      },
    )
  })
})

describe('handler errors and plugin routes', {timeout: 20_000}, () => {
  test('ApiError keeps its status; other errors are 500 and logged; minVersion gate', async () => {
    await withServer({info: () => Promise.reject(new Error('disk on fire'))}, async (h) => {
      const router = routerOf(h.server)
      router.add({
        method: 'POST',
        path: '/plugin/:name/conflict',
        handler: (_req, _res, ctx) => {
          throw new ApiError(409, `conflict for ${ctx.params.name}`)
        },
      })
      router.add({method: 'GET', path: '/plugin/new', minVersion: '1.50', handler: (_q, res) => void res.end('new')})

      const c = await request(h.socketPath, '/v1.45/plugin/web%20app/conflict', {method: 'POST'})
      assert.equal(c.status, 409)
      assert.equal(c.body, '{"message":"conflict for web app"}\n')
      assert.equal(c.headers['docker-experimental'], 'false')

      const i = await request(h.socketPath, '/info')
      assert.equal(i.status, 500)
      assert.equal(i.body, '{"message":"disk on fire"}\n')
      const err = h.ctx.lines.find((l) => l.level === 'error')
      assert.equal(err?.msg, 'Handler for GET /info returned error')
      assert.equal(err?.fields?.status, 500)

      assert.equal((await request(h.socketPath, '/v1.50/plugin/new')).body, 'new')
      const old = await request(h.socketPath, '/v1.49/plugin/new')
      assert.equal(old.status, 400)
      assert.equal(old.body, '{"message":"GET /plugin/new requires API version 1.50, but the client API version is 1.49"}\n')
    })
  })
  test('createApiServer refuses an invalid version range', () => {
    assert.throws(() => createApiServer(makeContext({minApiVersion: '1.12'}), []), {
      message: 'invalid minimum API version (1.12): must be between 1.24 and 1.56',
    })
    assert.throws(() => createApiServer(makeContext({maxApiVersion: '1.24', minApiVersion: '1.40'}), []), /is higher than the default version/)
  })
  test('one server, two listeners (two -H unix sockets)', async () => {
    await withServer({}, async (h) => {
      const second = path.join(h.dir, 'second.sock')
      const l2 = net.createServer()
      serve(h.server, l2)
      await new Promise<void>((r) => l2.listen(second, r))
      assert.equal((await request(second, '/_ping')).body, 'OK')
      assert.equal((await request(h.socketPath, '/_ping')).body, 'OK')
      await h.close()
      assert.equal(l2.listening, false, 'closeGracefully closes every attached listener')
    })
  })
})

describe('GET /events', {timeout: 30_000}, () => {
  let h: Harness
  let t0: bigint
  before(async () => {
    h = await startServer()
    const bus = h.ctx.events
    t0 = 1_700_000_000_000_000_000n
    bus.publish({Type: 'daemon', Action: 'reload', Actor: {ID: 'ENGINE-ID', Attributes: {name: 'vm', debug: 'true', labels: '["foo=bar"]'}}, timeNano: t0})
    bus.publish({Type: 'container', Action: 'start', Actor: {ID: 'c1', Attributes: {image: 'busybox', name: 'web', 'com.example': 'x'}}, timeNano: t0 + 1_000_000_000n})
    bus.publish({Type: 'image', Action: 'create', Actor: {ID: 'sha256:abc', Attributes: {name: 'busybox:latest'}}, timeNano: t0 + 2_000_000_000n})
    bus.publish({Type: 'daemon', Action: 'reload', Actor: {ID: 'ENGINE-ID', Attributes: {name: 'vm', debug: 'false'}}, timeNano: t0 + 3_000_000_000n})
  })
  after(async () => {
    await h.close()
  })

  const lines = (body: string): Record<string, unknown>[] =>
    body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))

  test('since/until replay then end; application/json below 1.52', async () => {
    const r = await request(h.socketPath, `/v1.51/events?since=${unixSeconds(t0)}&until=${unixSeconds(t0 + 2_000_000_000n)}`)
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'application/json')
    assert.equal(r.headers['transfer-encoding'], 'chunked')
    const evs = lines(r.body)
    assert.deepEqual(evs.map((e) => e.Action), ['reload', 'start', 'create'])
    assert.equal(evs[0].timeNano, Number(t0))
    assert.match(r.body, new RegExp(`"timeNano":${t0}}`), 'exact nanoseconds on the wire')
    assert.equal(evs[1].status, 'start', 'legacy fields below 1.52')
  })

  test('default media type at 1.52+ is application/jsonl; Accept picks json-seq', async () => {
    const r = await request(h.socketPath, `/events?since=0&until=${unixSeconds(t0)}`)
    assert.equal(r.headers['content-type'], 'application/jsonl')
    assert.equal(lines(r.body).length, 1)
    const seq = await request(h.socketPath, `/events?since=0&until=${unixSeconds(t0)}`, {headers: {Accept: 'application/json-seq'}})
    assert.equal(seq.headers['content-type'], 'application/json-seq')
    assert.ok(seq.body.startsWith('\x1e{"Type":"daemon"'))
  })

  test('image create events are hidden below API 1.46', async () => {
    const r = await request(h.socketPath, `/v1.45/events?since=0&until=${unixSeconds(t0 + 3_000_000_000n)}`)
    assert.deepEqual(lines(r.body).map((e) => e.Action), ['reload', 'start', 'reload'])
  })

  const filterCases: [string, string, string[]][] = [
    ['type (map form)', '{"type":{"daemon":true}}', ['reload', 'reload']],
    ['type (list form)', '{"type":["container","image"]}', ['start', 'create']],
    ['event', '{"event":{"start":true}}', ['start']],
    ['label key', '{"label":{"com.example":true}}', ['start']],
    ['label key=value', '{"label":["debug=false"]}', ['reload']],
    ['daemon id', '{"daemon":["ENGINE-ID"],"type":["daemon"]}', ['reload', 'reload']],
    ['daemon foo', '{"daemon":["foo"]}', []],
    ['container name', '{"container":["web"]}', ['start']],
    ['image', '{"image":["busybox"]}', ['start', 'create']],
  ]
  for (const [what, filters, want] of filterCases) {
    test(`filter ${what}`, async () => {
      const q = new URLSearchParams({since: '0', until: unixSeconds(t0 + 3_000_000_000n), filters})
      const r = await request(h.socketPath, `/v1.52/events?${q}`)
      assert.equal(r.status, 200)
      assert.deepEqual(lines(r.body).map((e) => e.Action), want)
    })
  }

  const errorCases: [string, string][] = [
    ['since=abc', `invalid value for 'since': invalid timestamp "abc": invalid seconds "abc": invalid syntax`],
    ['until=1.x', `invalid value for 'until': invalid timestamp "1.x": invalid nanoseconds: invalid character 'x' at position 0`],
    ['since=20&until=10', '`since` time (20) cannot be after `until` time (10)'],
    ['filters=%7Bnope', 'invalid filter'],
    ['filters=%7B%22type%22%3A%22daemon%22%7D', 'invalid filter'],
    ['since=1;until=2', 'invalid semicolon separator in query'],
  ]
  for (const [query, message] of errorCases) {
    test(`400 for ${query}`, async () => {
      const r = await request(h.socketPath, `/events?${query}`)
      assert.equal(r.status, 400)
      assert.deepEqual(JSON.parse(r.body), {message})
    })
  }

  test('live: headers arrive before any event; a published event reaches the subscriber', async () => {
    const s = await openStream(h.socketPath, '/v1.50/events?filters=' + encodeURIComponent('{"type":["daemon"]}'))
    try {
      assert.equal(s.status, 200)
      assert.equal(s.headers['content-type'], 'application/json')
      await within(
        (async () => {
          while (h.ctx.events.subscriberCount === 0) await new Promise((r) => setTimeout(r, 5))
        })(),
        2_000,
        'subscription',
      )
      h.ctx.events.publish({Type: 'container', Action: 'die', Actor: {ID: 'c2', Attributes: {}}}) // filtered out
      h.ctx.events.publish({Type: 'daemon', Action: 'reload', Actor: {ID: 'ENGINE-ID', Attributes: {name: 'vm', 'max-concurrent-downloads': '1'}}})
      const ev = JSON.parse(await s.next())
      assert.equal(ev.Type, 'daemon')
      assert.equal(ev.Actor.Attributes['max-concurrent-downloads'], '1')
      assert.equal(typeof ev.timeNano, 'number')
    } finally {
      s.abort()
    }
  })

  test('since without until: replay, then stay live', async () => {
    const s = await openStream(h.socketPath, `/events?since=${unixSeconds(t0 + 3_000_000_000n)}`)
    try {
      // The replay starts at the since event (earlier tests may have published later ones).
      assert.equal(JSON.parse(await s.next()).Actor.Attributes.debug, 'false')
      h.ctx.events.publish({Type: 'network', Action: 'since-live', Actor: {ID: 'n1', Attributes: {name: 'br'}}})
      let ev: {Action?: string} = {}
      for (let i = 0; i < 10 && ev.Action !== 'since-live'; i++) ev = JSON.parse(await s.next())
      assert.equal(ev.Action, 'since-live')
    } finally {
      s.abort()
    }
  })

  test('a future until ends the running stream when reached', async () => {
    const until = BigInt(Date.now() + 300) * 1_000_000n
    const started = Date.now()
    const s = await openStream(h.socketPath, `/events?until=${unixSeconds(until)}`)
    await within(s.ended, 3_000, 'stream end at until')
    assert.ok(Date.now() - started >= 250, 'not before until')
  })

  test('a client aborting mid-stream is unsubscribed; the server keeps serving', async () => {
    const before = h.ctx.events.subscriberCount
    const s = await openStream(h.socketPath, '/events')
    await within(
      (async () => {
        while (h.ctx.events.subscriberCount === before) await new Promise((r) => setTimeout(r, 5))
      })(),
      2_000,
      'subscription',
    )
    s.abort()
    await within(
      (async () => {
        while (h.ctx.events.subscriberCount !== before) await new Promise((r) => setTimeout(r, 5))
      })(),
      2_000,
      'unsubscribe after abort',
    )
    h.ctx.events.publish({Type: 'daemon', Action: 'reload', Actor: {ID: 'E', Attributes: {}}})
    assert.equal((await request(h.socketPath, '/_ping')).body, 'OK')
  })
})

describe('shutdown', {timeout: 30_000}, () => {
  test('EventBus.close() ends live streams cleanly', async () => {
    await withServer({}, async (h) => {
      const s = await openStream(h.socketPath, '/events')
      await within(
        (async () => {
          while (h.ctx.events.subscriberCount === 0) await new Promise((r) => setTimeout(r, 5))
        })(),
        2_000,
        'subscription',
      )
      h.ctx.events.close()
      await within(s.ended, 2_000, 'stream end on bus close')
      assert.equal((await request(h.socketPath, '/_ping')).status, 200)
    })
  })

  test('closeGracefully ends a live events stream, closes idle keep-alive, removes the socket file', async () => {
    const h = await startServer()
    try {
      const s = await openStream(h.socketPath, '/events')
      // An idle keep-alive connection that must not hold the shutdown up.
      const idle = net.connect(h.socketPath)
      await new Promise<void>((resolve) => {
        idle.once('data', () => resolve())
        idle.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n')
      })
      const idleClosed = new Promise<void>((r) => idle.once('close', () => r()))
      assert.ok(connectionCount(h.server) >= 2)
      const started = Date.now()
      await within(closeGracefully(h.server, 3_000), 2_000, 'graceful close')
      assert.ok(Date.now() - started < 1_500, 'did not wait for the timeout')
      await within(s.ended, 1_000, 'events stream ended')
      await within(idleClosed, 1_000, 'idle keep-alive closed')
      assert.equal(connectionCount(h.server), 0)
      assert.equal(fs.existsSync(h.socketPath), false, 'listener closed and socket unlinked')
      assert.equal(closeGracefully(h.server), closeGracefully(h.server), 'idempotent')
    } finally {
      await h.close()
    }
  })

  test('connections that stay busy are destroyed after the timeout', async () => {
    const h = await startServer()
    try {
      let release!: () => void
      routerOf(h.server).add({
        method: 'GET',
        path: '/slow',
        handler: (_req, res) =>
          new Promise<void>((resolve) => {
            release = () => {
              res.end()
              resolve()
            }
          }),
      })
      const pending = request(h.socketPath, '/slow').catch((err: Error) => err)
      await within(
        (async () => {
          while (!release) await new Promise((r) => setTimeout(r, 5))
        })(),
        2_000,
        'slow handler running',
      )
      const started = Date.now()
      await closeGracefully(h.server, 300)
      const elapsed = Date.now() - started
      assert.ok(elapsed >= 250 && elapsed < 2_000, `forced after ~300 ms (took ${elapsed})`)
      assert.ok((await pending) instanceof Error, 'client saw the connection drop')
      release()
    } finally {
      await h.close()
    }
  })

  test('a slow request head is cut after headersTimeout without a reply (as Go does)', async () => {
    const h = await startServer({}, {headersTimeout: 300, connectionsCheckingInterval: 100})
    try {
      const started = Date.now()
      const out = await rawExchange(h.socketPath, 'GET /_ping HTTP/1.1\r\nHost: x\r\n', 3_000)
      assert.equal(out, '')
      assert.ok(Date.now() - started < 2_000)
    } finally {
      await h.close()
    }
  })
})

describe('listeners: the same server behind TCP and TLS', {timeout: 20_000}, () => {
  const get = (mod: typeof http | typeof https, opts: https.RequestOptions): Promise<{status: number; body: string; server?: string}> =>
    new Promise((resolve, reject) => {
      const req = mod.request({...opts, path: '/v1.44/_ping', agent: false, signal: AbortSignal.timeout(5_000)}, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body, server: String(res.headers.server)}))
      })
      req.on('error', reject)
      req.end()
    })

  test('TCP on 127.0.0.1', async () => {
    await withServer({}, async (h) => {
      const tcp = net.createServer()
      serve(h.server, tcp)
      await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r))
      const {port} = tcp.address() as net.AddressInfo
      const r = await get(http, {host: '127.0.0.1', port})
      assert.deepEqual(r, {status: 200, body: 'OK', server: `Docker/${SERVER_VERSION} (linux)`})
    })
  })

  test('TLS: only handshaken sockets reach HTTP', async (t) => {
    let key: string
    let cert: string
    await withServer({}, async (h) => {
      try {
        const k = path.join(h.dir, 'key.pem')
        const c = path.join(h.dir, 'cert.pem')
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', k, '-out', c], {stdio: 'ignore', timeout: 10_000})
        key = fs.readFileSync(k, 'utf8')
        cert = fs.readFileSync(c, 'utf8')
      } catch {
        t.skip('openssl not available')
        return
      }
      const secure = tls.createServer({key, cert})
      serve(h.server, secure)
      await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r))
      const {port} = secure.address() as net.AddressInfo
      const r = await get(https, {host: '127.0.0.1', port, rejectUnauthorized: false})
      assert.deepEqual(r, {status: 200, body: 'OK', server: `Docker/${SERVER_VERSION} (linux)`})
      await h.close()
      assert.equal(secure.listening, false)
    })
  })
})
