// The reload plan (§5.2) as a pure function of two configurations and the table, and the one
// masking path for printed configurations (regression: proxy credentials in the reload line).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {load} from '../../helpers/config.js'
import {reloadPlan} from '../../../src/config/reload.js'
import type {DaemonConfig} from '../../../src/config/types.js'
import {optionTable} from '../../../src/options/index.js'
import {maskedValue, printableValues} from '../../../src/options/sensitive.js'

const table = optionTable('linux', [])
const loaded = (file?: string, argv: string[] = []): DaemonConfig => {
  const r = load({argv, file})
  assert.ok(r.config, r.text)
  return r.config
}

describe('reloadPlan', () => {
  it('nothing changes when the file states the same values', () => {
    const a = loaded('{"debug": true, "labels": ["a=b"]}')
    assert.deepEqual({...reloadPlan(a, a, table), values: undefined}, {applied: [], needRestart: [], values: undefined})
  })

  it("applies 'apply' and 'reset' options the file states, reports the others as needing a restart", () => {
    const before = loaded('{}')
    const next = loaded('{"debug": true, "labels": ["a=b"], "mtu": 1400, "max-concurrent-downloads": 1, "data-root": "/srv/docker", "live-restore": true}')
    const plan = reloadPlan(before, next, table)
    assert.deepEqual(plan.applied, ['debug', 'label', 'live-restore', 'max-concurrent-downloads'])
    assert.deepEqual(plan.needRestart, ['data-root', 'mtu'])
    assert.equal(plan.values.debug, true)
    assert.equal(plan.values['max-concurrent-downloads'], 1)
    // Restart-only options keep their running value.
    assert.equal(plan.values.mtu, 1500)
    assert.equal(plan.values['data-root'], before.values['data-root'])
  })

  it("'reset' options return to their flag/default value when the file drops them; 'apply' ones keep theirs", () => {
    const running = loaded('{"max-concurrent-uploads": 9, "debug": true, "features": {"cdi": true}}')
    const plan = reloadPlan(running, loaded('{}'), table)
    assert.deepEqual(plan.applied, ['feature', 'max-concurrent-uploads'])
    assert.equal(plan.values['max-concurrent-uploads'], 5)
    assert.deepEqual(plan.values.feature, {})
    assert.equal(plan.values.debug, true)
  })

  it('zero spellings compare equal (the kind\'s zero test)', () => {
    const a = loaded('{"labels": []}')
    const b = loaded('{"labels": null}')
    assert.deepEqual(reloadPlan(a, b, table).applied, [])
  })

  it('every reload mode comes from the table: the reset options are those dockerd always resets', () => {
    const reset = table.entries.filter((e) => e.reload === 'reset').map((e) => e.name).sort()
    assert.deepEqual(reset, ['feature', 'max-concurrent-downloads', 'max-concurrent-uploads', 'max-download-attempts'])
  })
})

describe('printableValues (the reload line, the SIGUSR1 report, log lines)', () => {
  it('masks the credentials of sensitive options, sorts, leaves unset values out', () => {
    const config = loaded('{"proxies": {"http-proxy": "http://user:secret@proxy.example:3128", "no-proxy": "localhost"}}')
    const printed = printableValues(config.values, table)
    assert.equal(printed['http-proxy'], 'http://xxxxx:xxxxx@proxy.example:3128')
    assert.equal(printed['no-proxy'], 'localhost')
    assert.doesNotMatch(JSON.stringify(printed), /secret/)
    assert.ok(!('https-proxy' in printed))
    const names = Object.keys(printed)
    assert.deepEqual(names, [...names].sort())
  })

  it('masks list items too, and leaves other options alone', () => {
    assert.deepEqual(maskedValue({sensitive: 'url-credentials'}, ['http://a:b@h', 'x']), ['http://xxxxx:xxxxx@h', 'x'])
    assert.equal(maskedValue({}, 'http://a:b@h'), 'http://a:b@h')
  })
})
