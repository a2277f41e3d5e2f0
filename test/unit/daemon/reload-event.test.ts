import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {reloadPlan} from '../../../src/config/reload.js'

import type {DaemonConfig} from '../../../src/config/types.js'
import {
  formatNriAttribute,
  formatRuntimesAttribute,
  goJSONString,
  marshalAttributeSlice,
  reloadAttributes,
} from '../../../src/daemon/reload-event.js'
import {optionTable} from '../../../src/options/index.js'
import {load, type Case} from '../../helpers/config.js'

function config(c: Case = {}): DaemonConfig {
  const r = load(c)
  assert.equal(r.text, '', r.text)
  return r.config!
}

/** How `docker events` prints an event: attributes sorted, `k=v` joined by `, ` in parentheses. */
function cliLine(id: string, attrs: Record<string, string>): string {
  const parts = Object.keys(attrs)
    .sort()
    .map((k) => `${k}=${attrs[k]}`)
  return `2026-01-01T00:00:00.000000000Z daemon reload ${id} (${parts.join(', ')})`
}

describe('reload event attributes (§5.2)', () => {
  it('TestDaemonEvents: the fragments after reloading {"max-concurrent-downloads":1,"labels":["bar=foo"],"shutdown-timeout":10}', () => {
    // test daemons run with --debug; the reload file is what the configuration now says.
    const cfg = config({argv: ['--debug'], file: '{"max-concurrent-downloads":1,"labels":["bar=foo"], "shutdown-timeout": 10}'})
    const line = cliLine('ENGINE-ID', reloadAttributes(cfg, 'myhost', 'linux'))
    for (const fragment of [
      ' daemon reload ENGINE-ID ',
      'debug=true, ',
      ' default-ipc-mode=',
      ' default-runtime=',
      ' default-shm-size=',
      ' insecure-registries=[',
      ' labels=["bar=foo"], ',
      ' live-restore=',
      ' max-concurrent-downloads=1, ',
      ' max-concurrent-uploads=5, ',
      ' name=myhost',
      ' registry-mirrors=[',
      ' runtimes=',
      ' shutdown-timeout=10)',
    ]) {
      assert.ok(line.includes(fragment), `${JSON.stringify(fragment)} in ${line}`)
    }
  })

  it('formats every attribute of a default Linux configuration as dockerd does', () => {
    const attrs = reloadAttributes(config({argv: ['--default-cgroupns-mode', 'host']}), 'vm', 'linux')
    assert.deepEqual(attrs, {
      debug: 'false',
      'default-cgroupns-mode': 'host',
      'default-ipc-mode': 'private',
      'default-runtime': 'runc',
      'default-shm-size': '67108864',
      'default-stop-timeout': '10',
      features: 'map[]',
      'insecure-registries': '[]',
      labels: '[]',
      'live-restore': 'false',
      'max-concurrent-downloads': '3',
      'max-concurrent-uploads': '5',
      'max-download-attempts': '5',
      name: 'vm',
      'nri-opts': '{false   }',
      'registry-mirrors': '[]',
      runtimes: '',
      'shutdown-timeout': '15',
    })
    // keys come sorted, as docker events prints them
    assert.deepEqual(Object.keys(attrs), [...Object.keys(attrs)].sort())
  })

  it('features as a Go map, labels/registries as JSON arrays, shm size in bytes, runtimes name:path sorted', () => {
    const cfg = config({
      argv: ['--live-restore', '--default-shm-size', '128M', '--default-runtime', 'crun', '--max-download-attempts', '7', '--default-stop-timeout', '0'],
      file: JSON.stringify({
        features: {cdi: true, buildkit: false},
        'insecure-registries': ['10.0.0.0/8', 'myreg:5000'],
        labels: ['a=<b>&c', 'env=test'],
        'registry-mirrors': ['https://mirror.example'],
        runtimes: {zeta: {path: '/usr/bin/zeta'}, crun: {path: '/usr/bin/crun', runtimeArgs: ['--debug']}},
      }),
    })
    const a = reloadAttributes(cfg, 'h', 'linux')
    assert.equal(a.features, 'map[buildkit:false cdi:true]')
    assert.equal(a.labels, '["a=\\u003cb\\u003e\\u0026c","env=test"]')
    assert.equal(a['insecure-registries'], '["10.0.0.0/8","myreg:5000"]')
    // file values are kept as written (no trailing slash added)
    assert.equal(a['registry-mirrors'], '["https://mirror.example"]')
    assert.equal(a['default-shm-size'], '134217728')
    assert.equal(a.runtimes, 'crun:/usr/bin/crun zeta:/usr/bin/zeta')
    assert.equal(a['default-runtime'], 'crun')
    assert.equal(a['live-restore'], 'true')
    assert.equal(a['max-download-attempts'], '7')
    assert.equal(a['default-stop-timeout'], '0')
    assert.equal(reloadAttributes(config({file: '{"features": {"cdi": true}}'}), 'h', 'linux').features, 'map[cdi:true]')
  })

  it('command-line registries are the values the flag validators stored', () => {
    const a = reloadAttributes(config({argv: ['--registry-mirror', 'https://m.example', '--insecure-registry', 'index.docker.io']}), 'h', 'linux')
    assert.equal(a['registry-mirrors'], '["https://m.example/"]')
    assert.equal(a['insecure-registries'], '["docker.io"]')
  })

  it('nri-opts as fmt.Sprint of the struct; no name without a host name; no Unix attributes on Windows', () => {
    assert.equal(formatNriAttribute({enable: true, 'plugin-path': '/p', 'socket-path': '/s'}), '{true /p  /s}')
    const cfg = config()
    assert.equal('name' in reloadAttributes(cfg, '', 'linux'), false)
    const win = reloadAttributes(config({platform: 'win32'}), 'winhost', 'win32')
    for (const k of ['runtimes', 'default-runtime', 'default-shm-size', 'default-ipc-mode', 'default-cgroupns-mode']) assert.equal(k in win, false, k)
    assert.equal(win['default-stop-timeout'], '30')
    assert.equal(win.name, 'winhost')
  })

  it('helpers: Go JSON strings and slices, runtime lists', () => {
    assert.equal(marshalAttributeSlice(undefined), '[]')
    assert.equal(marshalAttributeSlice([]), '[]')
    assert.equal(marshalAttributeSlice(['foo=bar', 'env=test']), '["foo=bar","env=test"]')
    assert.equal(goJSONString('a\u2028b\tc"\\'), '"a\\u2028b\\tc\\"\\\\"')
    // Go's encoder writes invalid UTF-8 as the escape text `\ufffd` (encoding/json appendString).
    assert.equal(goJSONString('x\uD800y'), '"x\\ufffdy"')
    assert.equal(goJSONString('😀'), '"😀"')
    assert.equal(formatRuntimesAttribute({}), '')
    assert.equal(formatRuntimesAttribute(undefined), '')
    assert.equal(formatRuntimesAttribute({b: {path: '/b'}, a: {runtimeType: 'io.containerd.x.v1'}}), 'a: b:/b')
  })
})

// The changes a reload reports, as the table's reloadPlan decides them (the file states every key).
describe('reloadPlan: changed options', () => {
  const table = optionTable('linux', [])
  const reloadChanges = (a: DaemonConfig, b: DaemonConfig) => {
    const {applied, needRestart} = reloadPlan(a, {...b, fileKeys: new Set(Object.keys(b.values))}, table)
    return {applied, needRestart}
  }
  const base = config()
  const withValues = (values: Record<string, unknown>): DaemonConfig => ({...base, values: {...base.values, ...values}})

  it('nothing changes for the same configuration, or when only unset/zero spellings differ', () => {
    assert.deepEqual(reloadChanges(base, base), {applied: [], needRestart: []})
    assert.deepEqual(reloadChanges(base, withValues({debug: false, 'live-restore': false, label: [], feature: {}})), {
      applied: [],
      needRestart: [],
    })
    assert.deepEqual(reloadChanges(withValues({feature: {cdi: true}}), withValues({feature: {cdi: true}})), {applied: [], needRestart: []})
    // The zero test is the merge's (isZero): every zero spelling reads as unset.
    for (const zero of [undefined, null, false, 0, '', [], {}]) {
      assert.deepEqual(reloadChanges(withValues({label: zero}), withValues({label: []})), {applied: [], needRestart: []}, JSON.stringify(zero))
    }

    assert.deepEqual(reloadChanges(withValues({label: ''}), withValues({label: ['a=b']})).applied, ['label'])
  })

  it('splits changed options into reloadable and restart-only, both sorted', () => {
    const next = withValues({debug: true, label: ['a=b'], mtu: 1400, 'max-concurrent-downloads': 1, 'data-root': '/srv/docker', 'live-restore': true})
    assert.deepEqual(reloadChanges(base, next), {
      applied: ['debug', 'label', 'live-restore', 'max-concurrent-downloads'],
      needRestart: ['data-root', 'mtu'],
    })
  })

  it('compares deeply (maps, lists, runtimes)', () => {
    const a = withValues({'add-runtime': {crun: {path: '/usr/bin/crun'}}, feature: {cdi: true}})
    const b = withValues({'add-runtime': {crun: {path: '/usr/local/bin/crun'}}, feature: {cdi: false}})
    assert.deepEqual(reloadChanges(a, b), {applied: ['add-runtime', 'feature'], needRestart: []})
  })
})
