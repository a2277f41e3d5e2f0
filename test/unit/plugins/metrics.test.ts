import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import http from 'node:http'
import {describe, it} from 'node:test'

import {EventBus} from '../../../src/api/events.js'
import type {DaemonConfig} from '../../../src/config/types.js'
import {
  API_REQUEST_DURATION,
  API_REQUESTS_TOTAL,
  metricsAddress,
  metricsPlugin,
  parseMetricsAddr,
  validateMetricsAddr,
} from '../../../src/plugins/builtin/metrics.js'
import {pluginHelpers} from '../../../src/plugins/helpers.js'
import type {PluginContext} from '../../../src/plugins/types.js'
import {sample} from '../../helpers/prometheus.js'

interface Logged {
  level: string
  msg: string
}

function fakeCtx(values: Record<string, unknown>): {ctx: PluginContext; logged: Logged[]} {
  const logged: Logged[] = []
  const at = (level: string) => (msg: string) => void logged.push({level, msg})
  const config: DaemonConfig = {
    configFile: '/nonexistent/daemon.json',
    explicit: new Set(),
    fileKeys: new Set(),
    hosts: [],
    tls: {ca: '', cert: '', enabled: false, explicit: false, key: '', verify: false},
    values: values as DaemonConfig['values'],
  }
  return {ctx: {config, events: new EventBus(), helpers: pluginHelpers, log: {debug: at('debug'), error: at('error'), info: at('info'), warn: at('warn')}, platform: 'linux'}, logged}
}

function get(port: number, path: string, method = 'GET'): Promise<{body: string; headers: http.IncomingHttpHeaders; status: number}> {
  return new Promise((resolve, reject) => {
    const req = http.request({agent: false, host: '127.0.0.1', method, path, port, timeout: 5000}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        body += c
      })
      res.on('end', () => resolve({body, headers: res.headers, status: res.statusCode ?? 0}))
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** A listener holding a port, to make the plugin's listen fail. */
function occupy(): Promise<{close(): Promise<void>; port: number}> {
  return new Promise((resolve, reject) => {
    const srv = http.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as {port: number}
      resolve({close: () => new Promise((r) => srv.close(() => r())), port})
    })
  })
}

function portOf(addr: string | undefined): number {
  const m = /:(\d+)$/.exec(addr ?? '')
  assert.ok(m, `no port in ${addr}`)
  return Number(m[1])
}

describe('metrics plugin: --metrics-addr', {timeout: 20_000}, () => {
  it('declares metrics-addr in its own DAEMON flag set, as dockerd describes it', () => {
    assert.equal(metricsPlugin.name, 'metrics')
    const sets = metricsPlugin.flagSets ?? []
    assert.equal(sets.length, 1)
    assert.equal(sets[0]!.id, 'metrics')
    assert.equal(sets[0]!.helpGroup, 'DAEMON')
    const opt = sets[0]!.options.find((o) => o.name === 'metrics-addr')
    assert.ok(opt)
    assert.equal(opt.kind, 'string')
    assert.equal(opt.description, 'Set default address and port to serve the metrics api on')
    assert.ok(!opt.reloadable, 'dockerd cannot change metrics-addr on reload')
    assert.deepEqual(metricsPlugin.info?.({} as DaemonConfig), {})
  })

  it('validates host:port and names the value in the error', () => {
    for (const ok of ['127.0.0.1:9323', ':9323', '[::1]:9323', 'localhost:0', '0.0.0.0:', '']) assert.equal(validateMetricsAddr(ok), undefined, ok)
    const cases: Array<[string, RegExp]> = [
      ['nonsense', /^invalid metrics-addr "nonsense": address nonsense: missing port in address/],
      ['127.0.0.1:abc', /^invalid metrics-addr "127.0.0.1:abc": address tcp\/abc: unknown port/],
      ['127.0.0.1:70000', /^invalid metrics-addr "127.0.0.1:70000": address 70000: invalid port/],
      ['::1:9323', /^invalid metrics-addr "::1:9323": address ::1:9323: too many colons in address/],
      ['[::1:9323', /missing '\]' in address/],
    ]
    for (const [value, re] of cases) assert.match(validateMetricsAddr(value) ?? '', re, value)
    assert.deepEqual(parseMetricsAddr('[::1]:80'), {host: '::1', port: 80})
    assert.deepEqual(parseMetricsAddr(':9323'), {host: '', port: 9323})
  })

  it('costs nothing when off: no prom-client, no listener, observe is a no-op', async () => {
    const require = createRequire(import.meta.url)
    const promPath = require.resolve('prom-client')
    const {ctx, logged} = fakeCtx({'metrics-addr': ''})
    await metricsPlugin.start?.(ctx)
    metricsPlugin.observe?.({durationMs: 1, method: 'GET', route: '/_ping', status: 200})
    assert.equal(metricsAddress(), undefined)
    assert.equal(require.cache[promPath], undefined, 'prom-client must not be loaded when metrics are off')
    assert.deepEqual(logged, [])
    await metricsPlugin.shutdown?.(ctx)
    const {ctx: unset} = fakeCtx({})
    await metricsPlugin.start?.(unset)
    assert.equal(metricsAddress(), undefined)
  })

  it('serves /metrics with the API counters, the duration histogram and process metrics', async () => {
    const {ctx, logged} = fakeCtx({'metrics-addr': '127.0.0.1:0'})
    await metricsPlugin.start?.(ctx)
    try {
      const addr = metricsAddress()
      const port = portOf(addr)
      assert.ok(port > 0)
      assert.deepEqual(logged, [{level: 'info', msg: `metrics API listening on ${addr}`}])
      const observe = metricsPlugin.observe!
      observe({durationMs: 2, method: 'GET', route: '/_ping', status: 200})
      observe({durationMs: 3, method: 'GET', route: '/_ping', status: 200})
      observe({durationMs: 1, method: 'HEAD', route: '/_ping', status: 200})
      observe({durationMs: 40, method: 'GET', route: '/version', status: 200})
      observe({durationMs: 1, method: 'GET', route: '', status: 404})
      observe({durationMs: Number.NaN, method: 'GET', route: '/version', status: 500}) // never throws

      const r = await get(port, '/metrics')
      assert.equal(r.status, 200)
      assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/)
      assert.match(r.body, new RegExp(`# TYPE ${API_REQUESTS_TOTAL} counter`))
      assert.match(r.body, new RegExp(`# TYPE ${API_REQUEST_DURATION} histogram`))
      assert.equal(sample(r.body, API_REQUESTS_TOTAL, {method: 'GET', route: '/_ping', status: '200'}), 2)
      assert.equal(sample(r.body, API_REQUESTS_TOTAL, {method: 'HEAD', route: '/_ping', status: '200'}), 1)
      assert.equal(sample(r.body, API_REQUESTS_TOTAL, {method: 'GET', route: '/version', status: '200'}), 1)
      assert.equal(sample(r.body, API_REQUESTS_TOTAL, {method: 'GET', route: 'unmatched', status: '404'}), 1)
      assert.equal(sample(r.body, `${API_REQUEST_DURATION}_count`, {method: 'GET', route: '/_ping', status: '200'}), 2)
      assert.ok(Math.abs(sample(r.body, `${API_REQUEST_DURATION}_sum`, {method: 'GET', route: '/_ping', status: '200'})! - 0.005) < 1e-9)
      assert.equal(sample(r.body, `${API_REQUEST_DURATION}_bucket`, {le: '0.025', method: 'GET', route: '/version', status: '200'}), 0)
      assert.equal(sample(r.body, `${API_REQUEST_DURATION}_bucket`, {le: '0.05', method: 'GET', route: '/version', status: '200'}), 1)
      assert.ok((sample(r.body, 'process_cpu_user_seconds_total', {}) ?? -1) > 0, 'process metrics are exposed')
      assert.ok((sample(r.body, 'process_start_time_seconds', {}) ?? -1) > 0)
      // A private registry: the global prom-client registry stays empty.
      const prom = await import('prom-client')
      assert.deepEqual(await prom.register.getMetricsAsJSON(), [])

      const head = await get(port, '/metrics', 'HEAD')
      assert.equal(head.status, 200)
      assert.equal(head.body, '')
      for (const [path, method] of [['/', 'GET'], ['/metrics/x', 'GET'], ['/_ping', 'GET'], ['/metrics', 'POST']] as const) {
        assert.equal((await get(port, path, method)).status, 404, `${method} ${path}`)
      }

      assert.equal((await get(port, '/metrics?x=1')).status, 200)
    } finally {
      await metricsPlugin.shutdown?.(ctx)
    }

    assert.equal(metricsAddress(), undefined)
    metricsPlugin.observe?.({durationMs: 1, method: 'GET', route: '/_ping', status: 200})
  })

  it('closes its listener on shutdown and can start again with fresh counters', async () => {
    const {ctx} = fakeCtx({'metrics-addr': '127.0.0.1:0'})
    await metricsPlugin.start?.(ctx)
    const port = portOf(metricsAddress())
    metricsPlugin.observe?.({durationMs: 1, method: 'GET', route: '/info', status: 200})
    await metricsPlugin.shutdown?.(ctx)
    await assert.rejects(get(port, '/metrics'), /ECONNREFUSED/)
    await metricsPlugin.shutdown?.(ctx) // idempotent

    await metricsPlugin.start?.(ctx)
    try {
      const r = await get(portOf(metricsAddress()), '/metrics')
      assert.equal(sample(r.body, API_REQUESTS_TOTAL, {route: '/info'}), undefined)
    } finally {
      await metricsPlugin.shutdown?.(ctx)
    }
  })

  it('throws naming the address when it cannot listen', async () => {
    const busy = await occupy()
    try {
      const addr = `127.0.0.1:${busy.port}`
      const {ctx} = fakeCtx({'metrics-addr': addr})
      await assert.rejects(Promise.resolve(metricsPlugin.start?.(ctx)), {
        message: `failed to start metrics server: listen tcp ${addr}: bind: address already in use`,
      })
      assert.equal(metricsAddress(), undefined)
      metricsPlugin.observe?.({durationMs: 1, method: 'GET', route: '/_ping', status: 200})
    } finally {
      await busy.close()
    }

    const {ctx} = fakeCtx({'metrics-addr': 'bogus'})
    await assert.rejects(Promise.resolve(metricsPlugin.start?.(ctx)), {message: 'failed to start metrics server: listen tcp: address bogus: missing port in address'})
  })
})
