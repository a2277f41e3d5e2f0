// Plugins' middleware on the request path, end to end through the built bin/run.js: a linked
// fixture plugin (test/fixtures/plugins/middleware-plugin) adds a response header after `identity`
// and refuses `/events` and attaching before `authorization`, on both start paths; a middleware at
// an unknown position fails the start, naming the plugin, and leaves nothing behind.
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {NOT_BUILT, ROOT, type Temp, api, baseArgs, daemonBuilt, rawExchange, runToExit, shortTemp, startDaemon} from '../helpers/daemon.js'

const FIXTURE = join(ROOT, 'test', 'fixtures', 'plugins', 'middleware-plugin')

describe('plugin middleware (linked fixture plugin, built bin/run.js)', {skip: daemonBuilt ? false : NOT_BUILT}, () => {
  let t: Temp
  let env: NodeJS.ProcessEnv
  before(() => {
    t = shortTemp()
    const data = t.p('data-dir')
    mkdirSync(data)
    writeFileSync(join(data, 'package.json'), JSON.stringify({oclif: {plugins: [{name: 'middleware-plugin', root: FIXTURE, type: 'link'}], schema: 1}, private: true}))
    env = {DOCKERD_DATA_DIR: data}
  })
  after(() => t.done())

  for (const oclif of [false, true]) {
    it(`adds its header and refuses /events and attaching${oclif ? ' (DOCKERD_OCLIF=1)' : ''}`, async () => {
      const d = await startDaemon(baseArgs(t), {env: {...env, ...(oclif ? {DOCKERD_OCLIF: '1'} : {})}, home: t.dir})
      try {
        const sock = t.p('docker.sock')
        const ping = await api(sock, '/v1.44/_ping')
        assert.equal(ping.status, 200)
        assert.equal(ping.body, 'OK')
        assert.equal(ping.headers['x-caller'], 'unix /_ping')
        assert.equal(ping.headers['api-version'], '1.56')
        const version = await api(sock, '/version')
        assert.equal(version.status, 200)
        assert.equal(version.headers['x-caller'], 'unix /version')
        const events = await api(sock, '/v1.44/events')
        assert.equal(events.status, 403)
        assert.equal(events.body, '{"message":"events are not served to this caller"}\n')
        // An engine route without an engine: through the list too (the header), then 501.
        const containers = await api(sock, '/containers/json')
        assert.equal(containers.status, 501)
        assert.equal(containers.headers['x-caller'], 'unix /containers/json')
        // An upgrading request takes the same list before it would be forwarded.
        const attach = await rawExchange(sock, 'POST /v1.44/containers/abc/attach?stream=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n')
        assert.match(attach, /^HTTP\/1\.1 403 Forbidden\r\n/)
        assert.match(attach, /\r\nX-Caller: unix \/containers\/\{id\}\/attach\r\n/)
        assert.match(attach, /\{"message":"attaching is not allowed here"\}\n$/)
      } finally {
        assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
      }
    })
  }

  it('a middleware at an unknown position fails the start, naming the plugin, and nothing is left', async () => {
    const before = t.list()
    const r = await runToExit(baseArgs(t), {env: {...env, MIDDLEWARE_PLUGIN_POSITION: 'authentication'}, home: t.dir})
    assert.equal(r.code, 1)
    assert.match(
      r.stderr,
      /failed to start daemon: plugin middleware-plugin: middleware "caller-header": unknown position after "authentication" \(known positions: version, identity, authorization, observe, route\)\n$/,
    )
    assert.doesNotMatch(r.stderr, /\n\s+at /)
    assert.deepEqual(t.list(), before)
  })
})
