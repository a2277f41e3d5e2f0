import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {after, describe, it} from 'node:test'

import {tracer} from '../../../src/log/debug.js'
import {log} from '../../../src/log/logger.js'

const T = '2026-11-28T13:35:50.309898745Z'
const saved = process.env.DEBUG

after(() => {
  if (saved === undefined) delete process.env.DEBUG
  else process.env.DEBUG = saved
})

describe('tracer', () => {
  it('is a no-op when DEBUG is unset, and does not load debug', () => {
    delete process.env.DEBUG
    const t = tracer('api')
    assert.equal(t.enabled, false)
    assert.equal(t.namespace, 'dockerd:api')
    assert.equal(t.extend('x').namespace, 'dockerd:api:x')
    t('nothing %s', 'here')
    const cache = createRequire(import.meta.url).cache
    assert.ok(!Object.keys(cache).some(k => /[/\\]node_modules[/\\]debug[/\\]/.test(k)), 'debug was loaded')
  })

  it('traces enabled namespaces through the logger in logrus format, whatever the level', () => {
    process.env.DEBUG = 'dockerd:api*'
    const lines: string[] = []
    log.configure({write: l => lines.push(l), now: () => T, level: 'info', color: false})
    const api = tracer('api')
    const other = tracer('reload')
    assert.equal(api.enabled, true)
    assert.equal(other.enabled, false)
    api('listening on %s', '/run/x y.sock')
    other('hidden')
    api.extend('router')('route %d', 3)
    assert.deepEqual(lines, [
      `time="${T}" level=debug msg="listening on /run/x y.sock" module="dockerd:api"\n`,
      `time="${T}" level=debug msg="route 3" module="dockerd:api:router"\n`,
    ])
  })
})
