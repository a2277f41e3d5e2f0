// --metrics-addr end to end: the BUILT bin/run.js serves Prometheus metrics of its Engine API
// requests (by method, route and status) and of its process on a TCP listener of its own.
import assert from 'node:assert/strict'
import {existsSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {afterEach, beforeEach, describe, it} from 'node:test'

import {NOT_BUILT, type Daemon, type Temp, api, baseArgs, daemonBuilt, freePort, runToExit, shortTemp, sleep, startDaemon, tcpAccepts} from '../helpers/daemon.js'
import {sample} from '../helpers/prometheus.js'

const skipUnlessBuilt = daemonBuilt ? false : NOT_BUILT
const escape = (s: string): string => s.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')

function scrape(port: number, path = '/metrics', method = 'GET'): Promise<{body: string; status: number; type: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request({agent: false, host: '127.0.0.1', method, path, port, timeout: 5000}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        body += c
      })
      res.on('end', () => resolve({body, status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? '')}))
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} on 127.0.0.1:${port} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** Scrapes until `ok(body)` (observations are recorded when a response finishes), bounded. */
async function scrapeUntil(port: number, ok: (body: string) => boolean, ms = 5000): Promise<string> {
  const end = Date.now() + ms
  for (;;) {
    const r = await scrape(port)
    assert.equal(r.status, 200)
    if (ok(r.body) || Date.now() > end) return r.body
    await sleep(50)
  }
}

const REQUESTS = 'engine_daemon_api_requests_total'
const DURATION = 'engine_daemon_api_request_duration_seconds'

describe('--metrics-addr (built bin/run.js)', {skip: skipUnlessBuilt, timeout: 90_000}, () => {
  let t: Temp
  let d: Daemon | undefined
  beforeEach(() => {
    t = shortTemp()
  })
  afterEach(async () => {
    if (d?.running()) await d.stop('SIGKILL', 5000).catch(() => null)
    d = undefined
    t.done()
  })

  for (const [how, env] of [
    ['fast start path', {}],
    ['oclif (DOCKERD_OCLIF=1)', {DOCKERD_OCLIF: '1'}],
  ] as const) {
    it(`serves API request counters by route/status and process metrics (${how})`, async () => {
      const port = await freePort()
      const addr = `127.0.0.1:${port}`
      d = await startDaemon([...baseArgs(t), '--metrics-addr', addr], {env, home: t.dir})
      assert.match(d.stderr(), new RegExp(`level=info msg="metrics API listening on ${escape(addr)}"`))
      const sock = t.p('docker.sock')
      // startDaemon's settling ping counts too: read the baseline first.
      const before = await scrapeUntil(port, (b) => (sample(b, REQUESTS, {method: 'GET', route: '/_ping', status: '200'}) ?? 0) >= 1)
      const base = sample(before, REQUESTS, {method: 'GET', route: '/_ping', status: '200'}) ?? 0

      for (let i = 0; i < 3; i++) assert.equal((await api(sock, '/_ping')).status, 200)
      assert.equal((await api(sock, '/_ping', {method: 'HEAD'})).status, 200)
      assert.equal((await api(sock, '/version')).status, 200)
      assert.equal((await api(sock, '/v1.45/version')).status, 200)
      assert.equal((await api(sock, '/v1.1/version')).status, 400)
      assert.equal((await api(sock, '/no/such/route')).status, 404)

      const body = await scrapeUntil(port, (b) => sample(b, REQUESTS, {route: 'unmatched', status: '404'}) === 1 && sample(b, REQUESTS, {method: 'GET', route: '/_ping', status: '200'}) === base + 3)
      assert.equal(sample(body, REQUESTS, {method: 'GET', route: '/_ping', status: '200'}), base + 3)
      assert.equal(sample(body, REQUESTS, {method: 'HEAD', route: '/_ping', status: '200'}), 1)
      // The label is the route's pattern: /version and /v1.45/version are the same route.
      assert.equal(sample(body, REQUESTS, {method: 'GET', route: '/version', status: '200'}), 2)
      assert.equal(sample(body, REQUESTS, {method: 'GET', route: '/version', status: '400'}), 1)
      assert.equal(sample(body, REQUESTS, {method: 'GET', route: 'unmatched', status: '404'}), 1)
      assert.equal(sample(body, `${DURATION}_count`, {method: 'GET', route: '/version', status: '200'}), 2)
      assert.equal(sample(body, `${DURATION}_bucket`, {le: '+Inf', method: 'HEAD', route: '/_ping', status: '200'}), 1)
      assert.match(body, new RegExp(`# TYPE ${REQUESTS} counter`))
      assert.match(body, new RegExp(`# TYPE ${DURATION} histogram`))
      // Process metrics of the daemon itself.
      assert.ok((sample(body, 'process_cpu_seconds_total') ?? 0) > 0, 'process_cpu_seconds_total')
      assert.ok((sample(body, 'process_resident_memory_bytes') ?? 0) > 0, 'process_resident_memory_bytes')
      const start = sample(body, 'process_start_time_seconds') ?? 0
      assert.ok(Math.abs(start - Date.now() / 1000) < 120, `process_start_time_seconds ${start} is this process's`)

      const r = await scrape(port)
      assert.match(r.type, /^text\/plain; version=0\.0\.4; charset=utf-8/)
      assert.equal((await scrape(port, '/')).status, 404)
      assert.equal((await scrape(port, '/_ping')).status, 404)
      // The metrics listener is not the Engine API: scraping is not counted as an API request.
      assert.equal(sample((await scrape(port)).body, REQUESTS, {route: '/metrics'}), undefined)

      assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
      assert.equal(await tcpAccepts(port), false, 'the metrics listener is closed on shutdown')
    })
  }

  it('takes metrics-addr from daemon.json too', async () => {
    const port = await freePort()
    d = await startDaemon(baseArgs(t, {config: JSON.stringify({'metrics-addr': `127.0.0.1:${port}`})}), {home: t.dir})
    assert.equal((await api(t.p('docker.sock'), '/version')).status, 200)
    const body = await scrapeUntil(port, (b) => sample(b, REQUESTS, {route: '/version'}) === 1)
    assert.equal(sample(body, REQUESTS, {method: 'GET', route: '/version', status: '200'}), 1)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
  })

  it('costs nothing when off: no metrics listener, no metrics log line', async () => {
    d = await startDaemon(baseArgs(t), {home: t.dir})
    assert.doesNotMatch(d.stderr(), /metrics API listening/)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
  })

  for (const [bad, why] of [
    ['nonsense', /address nonsense: missing port in address/],
    ['127.0.0.1:http-ish', /address tcp\/http-ish: unknown port/],
    ['127.0.0.1:99999', /address 99999: invalid port/],
  ] as const) {
    it(`refuses --metrics-addr ${bad} with exit 1 naming the value`, async () => {
      const r = await runToExit([...baseArgs(t), '--metrics-addr', bad], {home: t.dir})
      assert.equal(r.code, 1, r.stderr)
      assert.match(r.stderr, new RegExp(`invalid metrics-addr "${escape(bad)}"`))
      assert.match(r.stderr, why)
      assert.ok(!existsSync(t.p('docker.sock')) && !existsSync(t.p('docker.pid')), 'nothing left behind')
    })
  }

  it('refuses a bad "metrics-addr" in daemon.json, naming the value', async () => {
    writeFileSync(t.p('daemon.json'), JSON.stringify({'metrics-addr': 'localhost'}))
    const r = await runToExit(baseArgs(t), {home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /invalid metrics-addr "localhost": address localhost: missing port in address/)
  })

  it('fails the start naming the address when the port is taken, leaving nothing behind', async () => {
    const busy = http.createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    try {
      const addr = `127.0.0.1:${(busy.address() as {port: number}).port}`
      const r = await runToExit([...baseArgs(t), '--metrics-addr', addr], {home: t.dir})
      assert.equal(r.code, 1, r.stderr)
      assert.match(r.stderr, new RegExp(`failed to start metrics server: listen tcp ${escape(addr)}: bind: address already in use`))
      assert.ok(!existsSync(t.p('docker.sock')), 'API socket removed')
      assert.ok(!existsSync(t.p('docker.pid')), 'pidfile removed')
      assert.ok(!existsSync(t.p('data')), 'data-root this start created is removed')
      assert.ok(!existsSync(t.p('exec')), 'exec-root this start created is removed')
    } finally {
      await new Promise((resolve) => busy.close(resolve))
    }
  })
})
