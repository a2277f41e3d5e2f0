import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {shapeInfo} from '../../../src/api/info-shape.js'
import {buildInfo} from '../../../src/daemon/info/index.js'
import {load} from '../../helpers/config.js'

const HOST = {apparmor: false, cgroupNamespaces: true, cgroupVersion: '1', operatingSystem: 'Test OS 1', osVersion: '1', selinux: false, systemd: false}

/** A full, current-version body with every field a version drops (the daemon's own, plus NRI, devices and runtime status as an engine reports them). */
function full(): Record<string, unknown> {
  const r = load({argv: ['--containerd', '/run/c.sock']})
  assert.equal(r.text, '', r.text)
  const info = buildInfo({
    config: r.config!,
    engineID: 'engine-id-1',
    env: {},
    eventsListeners: 0,
    gitCommit: 'abc1234',
    host: HOST,
    listeners: [],
    platform: 'linux',
    serverVersion: '29.7.2',
  })
  return {
    ...info,
    DiscoveredDevices: [{ID: 'x', Source: 'cdi'}],
    NRI: {Info: [['plugin-path', '/opt/nri/plugins']]},
    Runtimes: {runc: {path: 'runc', status: {'org.opencontainers.runtime-spec.features': '{}'}}},
  }
}

interface Row {
  nri: boolean
  devices: boolean
  /** BridgeNfIptables/BridgeNfIp6tables: false added. */
  bridgeNf: boolean
  firewall: boolean
  /** ContainerdCommit/RuncCommit/InitCommit gain `Expected`. */
  expected: boolean
  /** RegistryConfig gains AllowNondistributableArtifacts* = null. */
  nondistributable: boolean
  containerd: boolean
  runtimeStatus: boolean
  /** Keys sorted at every depth (moby's map round-trip when fields are added). */
  sorted: boolean
}

const T = true
const F = false
// API version → what the body holds (moby system_routes.go getInfo).
const TABLE: Array<[string, Row]> = [
  ['1.56', {bridgeNf: F, containerd: T, devices: T, expected: F, firewall: T, nondistributable: F, nri: T, runtimeStatus: T, sorted: F}],
  ['1.53', {bridgeNf: F, containerd: T, devices: T, expected: F, firewall: T, nondistributable: F, nri: T, runtimeStatus: T, sorted: F}],
  ['1.52', {bridgeNf: F, containerd: T, devices: T, expected: F, firewall: T, nondistributable: F, nri: F, runtimeStatus: T, sorted: F}],
  ['1.50', {bridgeNf: F, containerd: T, devices: T, expected: F, firewall: T, nondistributable: F, nri: F, runtimeStatus: T, sorted: F}],
  ['1.49', {bridgeNf: T, containerd: T, devices: F, expected: F, firewall: T, nondistributable: F, nri: F, runtimeStatus: T, sorted: T}],
  ['1.48', {bridgeNf: T, containerd: T, devices: F, expected: T, firewall: F, nondistributable: F, nri: F, runtimeStatus: T, sorted: T}],
  ['1.47', {bridgeNf: T, containerd: T, devices: F, expected: T, firewall: F, nondistributable: F, nri: F, runtimeStatus: T, sorted: T}],
  ['1.46', {bridgeNf: T, containerd: T, devices: F, expected: T, firewall: F, nondistributable: T, nri: F, runtimeStatus: T, sorted: T}],
  ['1.45', {bridgeNf: T, containerd: F, devices: F, expected: T, firewall: F, nondistributable: T, nri: F, runtimeStatus: T, sorted: T}],
  ['1.44', {bridgeNf: T, containerd: F, devices: F, expected: T, firewall: F, nondistributable: T, nri: F, runtimeStatus: T, sorted: T}],
  ['1.43', {bridgeNf: T, containerd: F, devices: F, expected: T, firewall: F, nondistributable: T, nri: F, runtimeStatus: F, sorted: T}],
  ['1.41', {bridgeNf: T, containerd: F, devices: F, expected: T, firewall: F, nondistributable: T, nri: F, runtimeStatus: F, sorted: T}],
  ['1.24', {bridgeNf: T, containerd: F, devices: F, expected: T, firewall: F, nondistributable: T, nri: F, runtimeStatus: F, sorted: T}],
]

function sortedDeep(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(sortedDeep)
  if (typeof v !== 'object' || v === null) return true
  const keys = Object.keys(v)
  return keys.every((k, i) => i === 0 || keys[i - 1]! < k) && Object.values(v).every(sortedDeep)
}

describe('/info per API version (src/api/info-shape.ts)', () => {
  for (const [version, want] of TABLE) {
    it(`API ${version}`, () => {
      const input = full()
      const before = JSON.stringify(input)
      const i = shapeInfo(input, version)
      assert.equal(JSON.stringify(input), before, 'the full body is left unchanged')
      const has = (k: string) => Object.hasOwn(i, k)
      assert.equal(has('NRI'), want.nri, 'NRI')
      assert.equal(has('DiscoveredDevices'), want.devices, 'DiscoveredDevices')
      assert.equal(has('BridgeNfIptables') && has('BridgeNfIp6tables'), want.bridgeNf, 'BridgeNf*')
      if (want.bridgeNf) assert.equal(i.BridgeNfIptables, false)
      assert.equal(has('FirewallBackend'), want.firewall, 'FirewallBackend')
      for (const k of ['ContainerdCommit', 'RuncCommit', 'InitCommit']) {
        assert.deepEqual(i[k], want.expected ? {Expected: 'N/A', ID: 'N/A'} : {ID: 'N/A'}, k)
      }
      const rc = i.RegistryConfig as Record<string, unknown>
      assert.equal(Object.hasOwn(rc, 'AllowNondistributableArtifactsCIDRs'), want.nondistributable, 'RegistryConfig')
      if (want.nondistributable) assert.equal(rc.AllowNondistributableArtifactsHostnames, null)
      assert.equal(has('Containerd'), want.containerd, 'Containerd')
      assert.equal('status' in ((i.Runtimes as Record<string, object>).runc ?? {}), want.runtimeStatus, 'runtime status')
      assert.equal(sortedDeep(i), want.sorted, 'sorted keys')
      // Shaping is idempotent: an engine's body already shaped for this version merges and shapes again unchanged.
      assert.deepEqual(shapeInfo(i, version), i)
      assert.equal(JSON.stringify(shapeInfo(i, version)), JSON.stringify(i))
    })
  }

  it('at the current version the body is the daemon\'s, field order kept', () => {
    const input = full()
    assert.equal(shapeInfo(input, '1.56'), input)
  })
})
