import assert from 'node:assert/strict'
import os from 'node:os'
import {describe, it} from 'node:test'

import type {DaemonConfig} from '../../../src/config/types.js'
import {
  INDEX_SERVER,
  apiWarnings,
  buildInfo,
  formatRFC3339Nano,
  isContainerized,
  osReleaseValue,
  type InfoInputs,
} from '../../../src/daemon/info/index.js'
import {shapeInfo} from '../../../src/api/info-shape.js'
import {load, type Case} from '../../helpers/config.js'

function config(c: Case = {}): DaemonConfig {
  const r = load(c)
  assert.equal(r.text, '', r.text)
  return r.config!
}

const HOST = {apparmor: false, cgroupNamespaces: true, cgroupVersion: '1', operatingSystem: 'Test OS 1', osVersion: '1', selinux: false, systemd: false}

function inputs(c: Case = {}, extra: Partial<InfoInputs> = {}): InfoInputs {
  return {
    config: config(c),
    engineID: 'engine-id-1',
    env: {},
    eventsListeners: 2,
    gitCommit: 'abc1234',
    host: HOST,
    listeners: [{addr: '/var/run/docker.sock', host: 'unix:///var/run/docker.sock', tls: false, verify: false}],
    platform: c.platform ?? 'linux',
    serverVersion: '29.7.2',
    ...extra,
  }
}

const info = (c: Case = {}, extra: Partial<InfoInputs> = {}) => buildInfo(inputs(c, extra))

/** system.Info field order (current), including the omitempty fields that are present here. */
const FIELD_ORDER = [
  'ID', 'Containers', 'ContainersRunning', 'ContainersPaused', 'ContainersStopped', 'Images', 'Driver', 'DriverStatus',
  'Plugins', 'MemoryLimit', 'SwapLimit', 'CpuCfsPeriod', 'CpuCfsQuota', 'CPUShares', 'CPUSet', 'PidsLimit',
  'IPv4Forwarding', 'Debug', 'NFd', 'OomKillDisable', 'NGoroutines', 'SystemTime', 'LoggingDriver', 'CgroupDriver',
  'CgroupVersion', 'NEventsListener', 'KernelVersion', 'OperatingSystem', 'OSVersion', 'OSType', 'Architecture',
  'IndexServerAddress', 'RegistryConfig', 'NCPU', 'MemTotal', 'GenericResources', 'DockerRootDir', 'HttpProxy',
  'HttpsProxy', 'NoProxy', 'Name', 'Labels', 'ExperimentalBuild', 'ServerVersion', 'Runtimes', 'DefaultRuntime',
  'Swarm', 'LiveRestoreEnabled', 'Isolation', 'InitBinary', 'ContainerdCommit', 'RuncCommit', 'InitCommit',
  'SecurityOptions', 'DefaultAddressPools', 'FirewallBackend', 'CDISpecDirs', 'Containerd', 'Warnings',
]

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d*[1-9])?(?:Z|[+-]\d\d:\d\d)$/

describe('GET /info body (§7.4, TestInfoAPI / TestInfoDebug)', () => {
  it('fills every field TestInfoAPI checks with a true, non-empty value', () => {
    const i = info()
    assert.equal(i.ID, 'engine-id-1')
    assert.equal(i.Containers, (i.ContainersRunning as number) + (i.ContainersPaused as number) + (i.ContainersStopped as number))
    assert.equal(i.Containers, 0)
    assert.equal(i.Images, 0)
    assert.equal(i.LoggingDriver, 'json-file')
    assert.equal(i.OperatingSystem, 'Test OS 1')
    assert.equal(i.OSVersion, '1')
    assert.equal(i.OSType, 'linux')
    assert.equal(i.Architecture, os.machine())
    assert.equal(i.KernelVersion, os.release())
    assert.equal(i.Driver, 'none')
    assert.equal(i.ServerVersion, '29.7.2')
    assert.match(i.SystemTime as string, RFC3339_NANO)
    assert.ok(Math.abs(Date.parse(i.SystemTime as string) - Date.now()) < 5000)
    assert.ok((i.NCPU as number) > 0)
    assert.equal(i.NCPU, os.availableParallelism())
    assert.ok((i.MemTotal as number) > 0)
    assert.ok((i.SecurityOptions as string[]).length > 0)
    assert.ok((i.NFd as number) > 0)
    assert.ok((i.NGoroutines as number) > 0)
    assert.equal(i.NEventsListener, 2)
    assert.equal(i.Name, os.hostname())
    assert.equal(i.IndexServerAddress, INDEX_SERVER)
    assert.equal(i.IndexServerAddress, 'https://index.docker.io/v1/')
    assert.deepEqual(i.Labels, [])
    assert.equal(i.Debug, false)
    assert.equal(i.DockerRootDir, '/var/lib/docker')
    assert.deepEqual(i.Warnings, [])
  })

  it('keeps system.Info field order for current API versions', () => {
    const i = info({argv: ['--containerd', '/run/c.sock', '--default-address-pool', 'base=10.10.0.0/16,size=24']})
    assert.deepEqual(Object.keys(i), FIELD_ORDER)
    const plain = info()
    assert.deepEqual(Object.keys(plain), FIELD_ORDER.filter((k) => k !== 'DefaultAddressPools' && k !== 'Containerd'))
  })

  it('Debug reflects --debug and daemon.json; DockerRootDir is the data root', () => {
    assert.equal(info({argv: ['--debug']}).Debug, true)
    assert.equal(info({file: '{"debug": true}'}).Debug, true)
    assert.equal(info({argv: ['--data-root', '/tmp/some-root']}).DockerRootDir, '/tmp/some-root')
    assert.equal(info({file: '{"data-root": "/srv/docker"}'}).DockerRootDir, '/srv/docker')
  })

  it('labels, experimental, live-restore, log driver and storage driver come from the configuration', () => {
    const i = info({argv: ['--label', 'a=b', '--experimental', '--live-restore', '--log-driver', 'journald', '--storage-driver', 'vfs']})
    assert.deepEqual(i.Labels, ['a=b'])
    assert.equal(i.ExperimentalBuild, true)
    assert.equal(i.LiveRestoreEnabled, true)
    assert.equal(i.LoggingDriver, 'journald')
    assert.equal(i.Driver, 'vfs')
    assert.deepEqual(i.DriverStatus, [])
  })

  it('reports an inactive swarm and the zero containerd/runc/init commits', () => {
    const i = info()
    assert.deepEqual(i.Swarm, {ControlAvailable: false, Error: '', LocalNodeState: 'inactive', NodeAddr: '', NodeID: '', RemoteManagers: null})
    assert.deepEqual(Object.keys(i.Swarm as object), ['NodeID', 'NodeAddr', 'LocalNodeState', 'ControlAvailable', 'Error', 'RemoteManagers'])
    assert.deepEqual(i.ContainerdCommit, {ID: 'N/A'})
    assert.deepEqual(i.RuncCommit, {ID: 'N/A'})
    assert.deepEqual(i.InitCommit, {ID: 'N/A'})
    assert.equal(i.InitBinary, 'docker-init')
    assert.equal(info({argv: ['--init-path', '/usr/bin/tini']}).InitBinary, '/usr/bin/tini')
    assert.equal(i.Isolation, '')
  })

  it('plugins: local volumes, built-in network and log drivers, configured authorization plugins', () => {
    const i = info()
    const plugins = i.Plugins as Record<string, unknown>
    assert.deepEqual(Object.keys(plugins), ['Volume', 'Network', 'Authorization', 'Log'])
    assert.deepEqual(plugins.Volume, ['local'])
    assert.deepEqual(plugins.Network, ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'])
    assert.equal(plugins.Authorization, null)
    assert.ok((plugins.Log as string[]).includes('json-file'))
    const authz = (info({argv: ['--authorization-plugin', 'authz-a', '--authorization-plugin', 'authz-b']}).Plugins as Record<string, unknown>).Authorization
    assert.deepEqual(authz, ['authz-a', 'authz-b'])
  })

  it('runtimes: runc and io.containerd.runc.v2, plus --add-runtime / daemon.json runtimes, sorted', () => {
    const i = info()
    assert.deepEqual(i.Runtimes, {'io.containerd.runc.v2': {path: 'runc'}, runc: {path: 'runc'}})
    assert.equal(i.DefaultRuntime, 'runc')
    const j = info({file: '{"runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug"]}, "kata": {"runtimeType": "io.containerd.kata.v2"}}, "default-runtime": "crun"}'})
    assert.deepEqual(Object.keys(j.Runtimes as object), ['crun', 'io.containerd.runc.v2', 'kata', 'runc'])
    assert.deepEqual((j.Runtimes as Record<string, unknown>).crun, {path: '/usr/bin/crun', runtimeArgs: ['--debug']})
    // moby copies only Path and Args into /info.
    assert.deepEqual((j.Runtimes as Record<string, unknown>).kata, {})
    assert.equal(j.DefaultRuntime, 'crun')
    const k = info({argv: ['--add-runtime', 'youki=/usr/local/bin/youki']})
    assert.deepEqual((k.Runtimes as Record<string, unknown>).youki, {path: '/usr/local/bin/youki'})
  })

  it('cgroup driver and version follow exec-opts, the cgroup mode and rootless mode', () => {
    assert.equal(info().CgroupDriver, 'cgroupfs')
    assert.equal(info().CgroupVersion, '1')
    const v2 = {host: {...HOST, cgroupVersion: '2', systemd: true}}
    assert.equal(info({}, v2).CgroupDriver, 'systemd')
    assert.equal(info({}, v2).CgroupVersion, '2')
    assert.equal(info({argv: ['--exec-opt', 'native.cgroupdriver=cgroupfs']}, v2).CgroupDriver, 'cgroupfs')
    assert.equal(info({argv: ['--exec-opt', 'native.cgroupdriver=systemd']}).CgroupDriver, 'systemd')
    assert.equal(info({}, {host: {...HOST, cgroupVersion: '2', systemd: false}}).CgroupDriver, 'cgroupfs')
    assert.equal(info({argv: ['--rootless']}).CgroupDriver, 'none')
  })
})

describe('SecurityOptions (TestConfigDaemonSeccompProfiles)', () => {
  const seccomp = (i: Record<string, unknown>) => (i.SecurityOptions as string[]).filter((o) => o.startsWith('name=seccomp'))

  for (const [given, expected] of [
    ['', 'builtin'],
    ['builtin', 'builtin'],
    ['unconfined', 'unconfined'],
  ] as const) {
    it(`--seccomp-profile=${JSON.stringify(given)} → profile=${expected} (flag and daemon.json)`, () => {
      assert.deepEqual(seccomp(info({argv: [`--seccomp-profile=${given}`]})), [`name=seccomp,profile=${expected}`])
      assert.deepEqual(seccomp(info({file: JSON.stringify({'seccomp-profile': given})})), [`name=seccomp,profile=${expected}`])
    })
  }

  it('the default is the builtin profile, without warning; anything else warns', () => {
    assert.deepEqual(seccomp(info()), ['name=seccomp,profile=builtin'])
    assert.ok(!(info().Warnings as string[]).some((w) => w.includes('seccomp')))
    assert.ok((info({argv: ['--seccomp-profile=unconfined']}).Warnings as string[]).includes('WARNING: daemon is not using the default seccomp profile'))
    assert.deepEqual(seccomp(info({argv: ['--seccomp-profile=/etc/docker/seccomp.json']})), ['name=seccomp,profile=/etc/docker/seccomp.json'])
  })

  it('adds apparmor, selinux, userns, rootless, cgroupns and no-new-privileges in moby order', () => {
    const i = info(
      // (the test helper's argv parser reads --no-X as a negated --X, so this one goes in the file)
      {argv: ['--selinux-enabled', '--userns-remap', 'default', '--rootless', '--default-cgroupns-mode', 'private'], file: '{"no-new-privileges": true}'},
      {host: {...HOST, apparmor: true, selinux: true}},
    )
    assert.deepEqual(i.SecurityOptions, [
      'name=apparmor',
      'name=seccomp,profile=builtin',
      'name=selinux',
      'name=userns',
      'name=rootless',
      'name=cgroupns',
      'name=no-new-privileges',
    ])
    assert.deepEqual(info({argv: ['--default-cgroupns-mode', 'host']}).SecurityOptions, ['name=seccomp,profile=builtin'])
    assert.deepEqual(
      info({argv: ['--default-cgroupns-mode', 'private']}, {host: {...HOST, cgroupNamespaces: false}}).SecurityOptions,
      ['name=seccomp,profile=builtin'],
    )
  })
})

describe('Warnings (§6.5, TestInfoAPIWarnings)', () => {
  const tcp = (host: string, tls: boolean, verify: boolean) => ({addr: host.slice(6), host, tls, verify})

  it('an insecure 0.0.0.0:23756 listener gets the deprecation block', () => {
    const i = info({}, {listeners: [tcp('tcp://0.0.0.0:23756', false, false), {addr: '/tmp/d.sock', host: 'unix:///tmp/d.sock', tls: false, verify: false}]})
    const warnings = i.Warnings as string[]
    assert.equal(warnings.length, 1)
    const all = warnings.join('\n')
    assert.ok(all.includes('Access to the remote API is equivalent to root access'))
    assert.ok(all.includes('http://0.0.0.0:23756'))
    assert.equal(
      warnings[0],
      '[DEPRECATION NOTICE]: API is accessible on http://0.0.0.0:23756 without encryption.\n' +
        '         Access to the remote API is equivalent to root access on the host. Refer\n' +
        "         to the 'Docker daemon attack surface' section in the documentation for\n" +
        '         more information: https://docs.docker.com/go/attack-surface/\n' +
        'In future versions this will be a hard failure preventing the daemon from starting! Learn more at: https://docs.docker.com/go/api-security/',
    )
  })

  it('TLS without verification says https…without TLS client verification; verified TLS, unix and fd hosts say nothing', () => {
    const w = apiWarnings([
      tcp('tcp://127.0.0.1:2376', true, false),
      tcp('tcp://127.0.0.1:2377', true, true),
      {addr: '/run/d.sock', host: 'unix:///run/d.sock', tls: false, verify: false},
      {addr: 'fd://', host: 'fd://', tls: false, verify: false},
    ])
    assert.equal(w.length, 1)
    assert.ok(w[0].startsWith('[DEPRECATION NOTICE]: API is accessible on https://127.0.0.1:2376 without TLS client verification.\n'))
  })

  it('start-up warnings come last; embedded-containerd warns first', () => {
    const i = info(
      {argv: ['--feature', 'embedded-containerd=true']},
      {listeners: [tcp('tcp://0.0.0.0:2375', false, false)], startWarnings: ['WARNING: from start-up']},
    )
    const w = i.Warnings as string[]
    assert.equal(w.length, 3)
    assert.match(w[0], /^WARNING: Running with experimental embedded-containerd mode/)
    assert.match(w[1], /^\[DEPRECATION NOTICE\]/)
    assert.equal(w[2], 'WARNING: from start-up')
  })
})

describe('RegistryConfig (TestInfoInsecureRegistries / TestInfoRegistryMirrors)', () => {
  it('defaults: loopback CIDRs insecure, docker.io secure and official, no mirrors', () => {
    assert.deepEqual(info().RegistryConfig, {
      IndexConfigs: {'docker.io': {Mirrors: [], Name: 'docker.io', Official: true, Secure: true}},
      InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'],
      Mirrors: [],
    })
    assert.deepEqual(Object.keys(info().RegistryConfig as object), ['InsecureRegistryCIDRs', 'IndexConfigs', 'Mirrors'])
  })

  it('--insecure-registry CIDR and host:port', () => {
    const rc = info({argv: ['--insecure-registry=192.168.1.0/24', '--insecure-registry=insecurehost.com:5000']}).RegistryConfig as Record<string, any>
    assert.equal(rc.InsecureRegistryCIDRs.length, 3)
    for (const c of ['192.168.1.0/24', '::1/128', '127.0.0.0/8']) assert.ok(rc.InsecureRegistryCIDRs.includes(c), c)
    assert.deepEqual(rc.IndexConfigs['docker.io'], {Name: 'docker.io', Mirrors: [], Secure: true, Official: true})
    assert.deepEqual(rc.IndexConfigs['insecurehost.com:5000'], {Name: 'insecurehost.com:5000', Mirrors: [], Secure: false, Official: false})
    // CIDRs are masked, schemes dropped (as the registry service does).
    const rc2 = info({file: '{"insecure-registries": ["10.1.2.3/8", "http://myreg:5000"]}'}).RegistryConfig as Record<string, any>
    assert.ok(rc2.InsecureRegistryCIDRs.includes('10.0.0.0/8'))
    assert.ok('myreg:5000' in rc2.IndexConfigs)
  })

  it('--registry-mirror: normalised with one trailing slash, de-duplicated, also on docker.io', () => {
    const rc = info({
      argv: ['--registry-mirror=https://192.168.1.2', '--registry-mirror=http://registry-mirror.example.com:5000', '--registry-mirror=https://192.168.1.2/'],
    }).RegistryConfig as Record<string, any>
    assert.deepEqual([...rc.Mirrors].sort(), ['http://registry-mirror.example.com:5000/', 'https://192.168.1.2/'])
    assert.deepEqual(rc.IndexConfigs['docker.io'].Mirrors, rc.Mirrors)
  })
})

describe('proxies (TestDaemonProxy)', () => {
  it('falls back to HTTP_PROXY/HTTPS_PROXY/NO_PROXY (and lower case), credentials masked', () => {
    const i = info({}, {env: {HTTP_PROXY: 'http://user:secret@proxy.example:3128', https_proxy: 'https://proxy.example:3129', NO_PROXY: 'example.com'}})
    assert.equal(i.HttpProxy, 'http://xxxxx:xxxxx@proxy.example:3128')
    assert.equal(i.HttpsProxy, 'https://proxy.example:3129')
    assert.equal(i.NoProxy, 'example.com')
  })

  it('configured proxies win over the environment (flags and daemon.json "proxies")', () => {
    const env = {HTTP_PROXY: 'http://envuser:envpass@env.example', HTTPS_PROXY: 'http://env.example', NO_PROXY: 'env.example'}
    // --no-proxy cannot be spelled through the test helper's argv parser (it reads --no-X as a negated --X).
    const flags = info({argv: ['--http-proxy', 'https://myuser:mypassword@example.org', '--https-proxy', 'https://example.org'], file: '{"proxies": {"no-proxy": "example.com"}}'}, {env})
    assert.equal(flags.HttpProxy, 'https://xxxxx:xxxxx@example.org')
    assert.equal(flags.HttpsProxy, 'https://example.org')
    assert.equal(flags.NoProxy, 'example.com')
    const file = info({file: '{"proxies": {"http-proxy": "https://myuser:mypassword@example.org", "no-proxy": "example.com"}}'}, {env})
    assert.equal(file.HttpProxy, 'https://xxxxx:xxxxx@example.org')
    assert.equal(file.HttpsProxy, 'http://env.example')
    assert.equal(file.NoProxy, 'example.com')
    assert.ok(!JSON.stringify(flags).includes('mypassword'))
  })
})

describe('other configuration-derived fields', () => {
  it('CDISpecDirs: default /etc/cdi + /var/run/cdi; given dirs; "" or cdi:false disable', () => {
    assert.deepEqual(info().CDISpecDirs, ['/etc/cdi', '/var/run/cdi'])
    assert.deepEqual(info({file: '{"features": {"cdi": true}}'}).CDISpecDirs, ['/etc/cdi', '/var/run/cdi'])
    assert.deepEqual(info({argv: ['--cdi-spec-dir', '/foo/bar', '--cdi-spec-dir', '/baz/qux']}).CDISpecDirs, ['/foo/bar', '/baz/qux'])
    assert.deepEqual(info({argv: ['--cdi-spec-dir', '']}).CDISpecDirs, [])
    assert.deepEqual(info({file: '{"cdi-spec-dirs": [], "features": {"cdi": true}}'}).CDISpecDirs, [])
    assert.deepEqual(info({file: '{"features": {"cdi": false}}'}).CDISpecDirs, [])
  })

  it('DefaultAddressPools only when configured', () => {
    assert.equal('DefaultAddressPools' in info(), false)
    assert.deepEqual(info({argv: ['--default-address-pool', 'base=10.10.0.0/16,size=24']}).DefaultAddressPools, [{Base: '10.10.0.0/16', Size: 24}])
  })

  it('GenericResources from node-generic-resources', () => {
    assert.equal(info().GenericResources, null)
    assert.deepEqual(info({argv: ['--node-generic-resource', 'gpu=2', '--node-generic-resource', 'ssd=sda1']}).GenericResources, [
      {DiscreteResourceSpec: {Kind: 'gpu', Value: 2}},
      {NamedResourceSpec: {Kind: 'ssd', Value: 'sda1'}},
    ])
  })

  it('FirewallBackend: configured backend (default iptables) with the userland-proxy rows', () => {
    assert.deepEqual(info().FirewallBackend, {Driver: 'iptables', Info: [['EnableUserlandProxy', 'true']]})
    assert.deepEqual(info({argv: ['--firewall-backend', 'nftables', '--userland-proxy=false']}).FirewallBackend, {Driver: 'nftables'})
    assert.deepEqual(info({argv: ['--userland-proxy-path', '/usr/bin/docker-proxy']}).FirewallBackend, {
      Driver: 'iptables',
      Info: [['EnableUserlandProxy', 'true'], ['UserlandProxyPath', '/usr/bin/docker-proxy']],
    })
  })

  it('Containerd only with a containerd address', () => {
    assert.equal('Containerd' in info(), false)
    assert.deepEqual(info({argv: ['--containerd', '/run/containerd/containerd.sock']}).Containerd, {
      Address: '/run/containerd/containerd.sock',
      Namespaces: {Containers: 'moby', Plugins: 'plugins.moby'},
    })
  })

  it('Windows target: windows OSType, no cgroups, runtimes or security options', () => {
    const i = info({platform: 'win32'})
    assert.equal(i.OSType, 'windows')
    assert.equal(i.CgroupDriver, '')
    assert.equal('CgroupVersion' in i, false)
    assert.equal(i.Runtimes, null)
    assert.equal(i.DefaultRuntime, '')
    assert.equal(i.SecurityOptions, null)
    assert.equal(i.Isolation, 'process')
    assert.equal('FirewallBackend' in i, false)
    assert.deepEqual(i.ContainerdCommit, {ID: ''})
  })

  it('builds from a cached derivation without sharing mutable state between calls', () => {
    const inp = inputs({argv: ['--insecure-registry', '10.0.0.0/8']})
    const a = buildInfo(inp)
    const b = shapeInfo(buildInfo(inp), '1.41')
    assert.deepEqual((b.RegistryConfig as Record<string, unknown>).AllowNondistributableArtifactsCIDRs, null)
    assert.equal('AllowNondistributableArtifactsCIDRs' in (a.RegistryConfig as object), false)
    assert.equal('AllowNondistributableArtifactsCIDRs' in (buildInfo(inp).RegistryConfig as object), false)
    assert.equal('Expected' in (buildInfo(inp).ContainerdCommit as object), false)
  })
})

describe('helpers', () => {
  it('osReleaseValue: last KEY= line, quotes and spaces trimmed', () => {
    const text = 'NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nPRETTY_NAME=\'Override\' \n'
    assert.equal(osReleaseValue(text, 'PRETTY_NAME'), 'Override')
    assert.equal(osReleaseValue(text, 'VERSION_ID'), '12')
    assert.equal(osReleaseValue(text, 'MISSING'), '')
  })

  it('isContainerized: any cgroup line other than :/ or :/init.scope', () => {
    assert.equal(isContainerized('0::/init.scope\n'), false)
    assert.equal(isContainerized('12:cpu:/\n0::/\n'), false)
    assert.equal(isContainerized('0::/docker/abc\n'), true)
  })

  it('formatRFC3339Nano: Go layout, trimmed fraction, Z or ±hh:mm', () => {
    const saved = process.env.TZ
    try {
      process.env.TZ = 'UTC'
      const t = Date.UTC(2024, 0, 2, 3, 4, 5, 600)
      assert.equal(formatRFC3339Nano(t, 789_000), '2024-01-02T03:04:05.600789Z')
      assert.equal(formatRFC3339Nano(t), '2024-01-02T03:04:05.6Z')
      assert.equal(formatRFC3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 0)), '2024-01-02T03:04:05Z')
      assert.equal(formatRFC3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 0), 1), '2024-01-02T03:04:05.000000001Z')
      process.env.TZ = 'Asia/Kolkata'
      assert.equal(formatRFC3339Nano(t), '2024-01-02T08:34:05.6+05:30')
      process.env.TZ = 'America/St_Johns'
      assert.equal(formatRFC3339Nano(t), '2024-01-01T23:34:05.6-03:30')
    } finally {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    }
  })
})
