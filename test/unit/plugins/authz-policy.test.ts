// The example policy plugin's decisions, driven directly (no daemon): rule matching by listener,
// identity, method and path pattern, body rules on what the engine would parse, visibility by label,
// and policy file errors with their line.
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import type {CallerIdentity} from '../../../src/api/types.js'
import {pluginHelpers as helpers} from '../../../src/plugins/helpers.js'
import {ROOT} from '../../helpers/run.js'

interface Decision {
  allow: boolean
  msg?: string
  notFound?: boolean
  response?: {event?(e: unknown): boolean; json?(b: unknown, s: number): unknown}
  rule?: string
}

interface PolicyModule {
  compilePolicy(text: string, h: typeof helpers, accounts?: unknown): unknown
  decide(policy: unknown, req: Record<string, unknown>, h: typeof helpers, accounts: unknown): Promise<Decision>
}

const mod = (await import(join(ROOT, 'examples', 'authz-policy', 'plugin.js'))) as PolicyModule
const accounts = {groups: new Map([['monitor', {gid: 990, members: ['carol']}]]), users: new Map([[1001, 'carol'], [1000, 'dave']])}

const RO = 'unix:///run/docker-ro.sock'
const MAIN = 'unix:///run/docker.sock'
const TLS = 'tcp://127.0.0.1:2376'

const POLICY = {
  rules: [
    {action: 'allow', method: ['GET', 'HEAD'], name: 'ping', path: '/_ping'},
    {action: 'allow', listener: RO, method: ['GET', 'HEAD'], name: 'read-only socket', path: ['/containers/json', '/containers/{id}/json', '/containers/{id}/logs', '/events', '/version', '/info']},
    {action: 'deny', listener: RO, name: 'read-only socket: nothing else'},
    {action: 'allow', identity: {cn: 'admin'}, name: 'admin', container: {bindSources: true, capAdd: true, devices: true, hostNamespaces: true, privileged: true, securityOpt: true, sysctls: true, volumesFrom: true}},
    {action: 'deny', identity: {cn: 'alice'}, method: 'POST', name: 'alice: no archive uploads', path: '/containers/{id}/archive'},
    {action: 'allow', identity: {cn: 'alice'}, labels: {owner: 'alice'}, name: 'alice', container: {bindSources: ['/srv/alice'], capAdd: ['NET_ADMIN']}},
    {action: 'allow', identity: {group: 'monitor'}, method: 'GET', name: 'monitor group', path: '/containers/json'},
    {action: 'allow', identity: {method: 'unix', uid: 0}, name: 'root'},
  ],
}

const policy = mod.compilePolicy(JSON.stringify(POLICY), helpers, accounts)
const tls = (name: string): CallerIdentity => ({cn: name, listener: TLS, method: 'tls', name, sans: []})
const unix = (uid?: number, gid?: number, listener = MAIN): CallerIdentity => ({gid, listener, method: 'unix', name: '', uid})

const containers: Record<string, {Config: {Labels: Record<string, string>}}> = {
  a1: {Config: {Labels: {owner: 'alice'}}},
  b1: {Config: {Labels: {owner: 'bob'}}},
}
const engine = {
  async getJson(path: string) {
    const c = /^\/containers\/([^/]+)\/json$/.exec(path)
    if (c) return containers[c[1]!] ? {body: containers[c[1]!], status: 200} : {body: undefined, status: 404}
    const e = /^\/exec\/([^/]+)\/json$/.exec(path)
    if (e) return e[1] === 'ea' ? {body: {ContainerID: 'a1'}, status: 200} : e[1] === 'eb' ? {body: {ContainerID: 'b1'}, status: 200} : {body: undefined, status: 404}
    return {body: undefined, status: 500}
  },
}

const request = (identity: CallerIdentity, method: string, path: string, body?: unknown) => {
  const route = path === '/_ping' || path === '/events' || path === '/version' || path === '/info' ? path : helpers.engineRouteOf(method, path)
  return {
    body: body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    engine,
    headers: {},
    identity,
    method,
    path,
    route,
    uri: `/v1.41${path}`,
    user: identity.method === 'tls' ? identity.name : '',
    userAuthNMethod: identity.method === 'tls' ? 'TLS' : '',
  }
}

const decide = (identity: CallerIdentity, method: string, path: string, body?: unknown) => mod.decide(policy, request(identity, method, path, body), helpers, accounts)

describe('examples/authz-policy: rules (first match wins, default deny)', () => {
  for (const [who, method, path, allow, rule] of [
    [unix(1000), 'HEAD', '/_ping', true, 'ping'],
    [unix(1000), 'GET', '/_ping', true, 'ping'],
    [unix(1000), 'POST', '/_ping', false, 'default'],
    [unix(1000), 'GET', '/version', false, 'default'],
    [unix(0), 'POST', '/containers/create', true, 'root'],
    [unix(undefined), 'GET', '/version', false, 'default'],
    [unix(1000, 1000, RO), 'GET', '/containers/json', true, 'read-only socket'],
    [unix(1000, 1000, RO), 'GET', '/containers/abc/logs', true, 'read-only socket'],
    [unix(1000, 1000, RO), 'GET', '/events', true, 'read-only socket'],
    [unix(0, 0, RO), 'POST', '/containers/create', false, 'read-only socket: nothing else'],
    [unix(0, 0, RO), 'POST', '/containers/abc/start', false, 'read-only socket: nothing else'],
    [unix(0, 0, RO), 'POST', '/containers/abc/exec', false, 'read-only socket: nothing else'],
    [unix(0, 0, RO), 'DELETE', '/containers/abc', false, 'read-only socket: nothing else'],
    [unix(1001, 100), 'GET', '/containers/json', true, 'monitor group'],
    [unix(1000, 990), 'GET', '/containers/json', true, 'monitor group'],
    [unix(1000, 100), 'GET', '/containers/json', false, 'default'],
    [tls('admin'), 'POST', '/containers/create', true, 'admin'],
    [tls('bob'), 'GET', '/containers/json', false, 'default'],
    [tls('alice'), 'POST', '/containers/a1/archive', false, 'alice: no archive uploads'],
    [tls('alice'), 'PUT', '/containers/a1/archive', true, 'alice'],
    [{...tls(''), cn: ''}, 'GET', '/_ping', true, 'ping'],
  ] as const) {
    it(`${JSON.stringify(who)} ${method} ${path} → ${allow ? 'allowed' : 'denied'} by ${rule}`, async () => {
      const d = await decide(who, method, path)
      assert.equal(d.allow, allow, d.msg)
      assert.equal(d.rule, rule)
    })
  }

  it('a TLS rule never matches a caller without a verified certificate, nor a unix caller', async () => {
    assert.equal((await decide({...tls(''), cn: ''}, 'POST', '/containers/create')).allow, false)
    assert.equal((await decide(unix(0, 0, TLS), 'GET', '/containers/json')).rule, 'root')
    assert.equal((await decide({listener: TLS, method: 'tcp', name: ''}, 'GET', '/containers/json')).allow, false)
  })
})

describe('examples/authz-policy: body rules decide on what the engine parses', () => {
  const create = (hc: unknown, extra: Record<string, unknown> = {}) => ({Image: 'mini:1', Labels: {owner: 'alice'}, ...extra, HostConfig: hc})
  for (const [what, body, problem] of [
    ['privileged', create({Privileged: true}), /privileged containers are not allowed/],
    ['privileged, lower case', create({privileged: true}), /privileged containers/],
    ['privileged, duplicated key', '{"Image":"x","Labels":{"owner":"alice"},"HostConfig":{"Privileged":false,"Privileged":true}}', /privileged containers/],
    ['privileged, second HostConfig merges', '{"Labels":{"owner":"alice"},"HostConfig":{"Privileged":true},"hostConfig":{"Memory":1}}', /privileged containers/],
    ['privileged as a string', create({Privileged: 'true'}), /not true or false/],
    ['host pid', create({PidMode: 'host'}), /pid namespace/],
    ['host network (Kelvin sign)', `{"Labels":{"owner":"alice"},"HostConfig":{"Networ\u212AMode":"host"}}`, /network namespace/],
    ['host ipc', create({IpcMode: 'host'}), /ipc namespace/],
    ['host uts', create({UTSMode: 'host'}), /uts namespace/],
    ['host userns', create({UsernsMode: 'host'}), /userns namespace/],
    ['cap SYS_ADMIN', create({CapAdd: ['SYS_ADMIN']}), /capability SYS_ADMIN/],
    ['cap_sys_admin', create({CapAdd: ['cap_sys_admin']}), /capability SYS_ADMIN/],
    ['cap ALL', create({CapAdd: ['ALL']}), /capability ALL/],
    ['devices', create({Devices: [{PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm'}]}), /host devices/],
    ['device cgroup rules', create({DeviceCgroupRules: ['a *:* rwm']}), /host devices/],
    ['bind /etc', create({Binds: ['/etc:/x']}), /bind mount of \/etc/],
    ['bind escaping the allowed dir', create({Binds: ['/srv/alice/../../etc:/x:ro']}), /bind mount of \/srv\/alice\/..\/..\/etc/],
    ['bind prefix trick', create({Binds: ['/srv/alice-evil:/x']}), /bind mount/],
    ['mount bind /', create({Mounts: [{Source: '/', Target: '/host', Type: 'bind'}]}), /bind mount of \/ /],
    ['mount bind, lower-case keys', create({mounts: [{source: '/etc', target: '/x', type: 'bind'}]}), /bind mount of \/etc/],
    ['volume with a host device', create({Mounts: [{Target: '/x', Type: 'volume', VolumeOptions: {DriverConfig: {Name: 'local', Options: {device: '/etc', o: 'bind', type: 'none'}}}}]}), /host path \/etc/],
    ['seccomp unconfined', create({SecurityOpt: ['seccomp=unconfined']}), /security option/],
    ['apparmor unconfined', create({SecurityOpt: ['apparmor:unconfined']}), /security option/],
    ['masked paths cleared', create({MaskedPaths: []}), /masked and read-only paths/],
    ['sysctls', create({Sysctls: {'kernel.shm_rmid_forced': '1'}}), /sysctls/],
    ['volumes from', create({VolumesFrom: ['a1']}), /volumes from other containers/],
    ['without her label', {HostConfig: {}, Image: 'x'}, /must carry the label owner=alice/],
    ['not an object', '[1]', /not a JSON object/],
    ['trailing JSON after the object', '{"Labels":{"owner":"alice"}} {"HostConfig":{"Privileged":true}}', /not valid JSON/],
  ] as const) {
    it(`POST /containers/create refused for alice: ${what}`, async () => {
      const d = await decide(tls('alice'), 'POST', '/containers/create', body)
      assert.equal(d.allow, false)
      assert.match(d.msg ?? '', problem)
      assert.equal(d.rule, 'alice')
      // The admin's rule grants all of it (except what is not JSON at all).
      if (!/not a JSON object|not valid JSON|not true or false|must carry/.test(String(problem))) assert.equal((await decide(tls('admin'), 'POST', '/containers/create', body)).allow, true, what)
    })
  }

  for (const [what, body] of [
    ['plain', {HostConfig: {}, Image: 'mini:1', Labels: {owner: 'alice'}}],
    ['bind under her dir', {HostConfig: {Binds: ['/srv/alice/data:/data', 'named-volume:/v']}, Labels: {owner: 'alice'}}],
    ['mount under her dir', {HostConfig: {Mounts: [{Source: '/srv/alice', Target: '/x', Type: 'bind'}, {Target: '/t', Type: 'tmpfs'}]}, Labels: {owner: 'alice'}}],
    ['her capability', {HostConfig: {CapAdd: ['net_admin']}, Labels: {owner: 'alice'}}],
    ['privileged reset to false later', '{"Labels":{"owner":"alice"},"HostConfig":{"Privileged":true,"privileged":false}}'],
    ['no-new-privileges', {HostConfig: {SecurityOpt: ['no-new-privileges']}, Labels: {owner: 'alice'}}],
  ] as const) {
    it(`POST /containers/create allowed for alice: ${what}`, async () => {
      const d = await decide(tls('alice'), 'POST', '/containers/create', body)
      assert.equal(d.allow, true, d.msg)
    })
  }

  it('update, exec and volume create are checked too', async () => {
    assert.match((await decide(tls('alice'), 'POST', '/containers/a1/update', {Devices: [{PathOnHost: '/dev/mem'}]})).msg ?? '', /host devices/)
    assert.match((await decide(tls('alice'), 'POST', '/containers/a1/exec', {Cmd: ['sh'], privileged: true})).msg ?? '', /privileged exec/)
    assert.match((await decide(tls('alice'), 'POST', '/containers/a1/start', {Privileged: true})).msg ?? '', /privileged containers/)
    assert.match((await decide(tls('alice'), 'POST', '/volumes/create', {DriverOpts: {device: '/etc', o: 'bind', type: 'none'}, Name: 'v'})).msg ?? '', /host path \/etc/)
    assert.equal((await decide(tls('alice'), 'POST', '/volumes/create', {DriverOpts: {device: '/srv/alice/v', o: 'bind'}, Name: 'v'})).allow, true)
  })
})

describe('examples/authz-policy: visibility by label', () => {
  it('other containers answer 404 as if they did not exist; hers are allowed', async () => {
    for (const [method, path] of [['GET', '/containers/{id}/json'], ['GET', '/containers/{id}/logs'], ['POST', '/containers/{id}/exec'], ['GET', '/containers/{id}/archive'], ['POST', '/containers/{id}/stop'], ['DELETE', '/containers/{id}'], ['POST', '/containers/{id}/attach']] as const) {
      const mine = await decide(tls('alice'), method, path.replace('{id}', 'a1'), method === 'POST' && path.endsWith('exec') ? {Cmd: ['sh']} : undefined)
      assert.equal(mine.allow, true, `${method} ${path}: ${mine.msg}`)
      const theirs = await decide(tls('alice'), method, path.replace('{id}', 'b1'), method === 'POST' && path.endsWith('exec') ? {Cmd: ['sh']} : undefined)
      assert.deepEqual([theirs.allow, theirs.notFound, theirs.msg], [false, true, 'No such container: b1'], `${method} ${path}`)
      const none = await decide(tls('alice'), method, path.replace('{id}', 'zz'), method === 'POST' && path.endsWith('exec') ? {Cmd: ['sh']} : undefined)
      assert.deepEqual([none.allow, none.notFound, none.msg], [false, true, 'No such container: zz'])
    }

    assert.equal((await decide(tls('alice'), 'POST', '/exec/ea/start')).allow, true)
    assert.deepEqual((await decide(tls('alice'), 'POST', '/exec/eb/start')).msg, 'No such exec instance: eb')
    assert.equal((await decide(tls('alice'), 'POST', '/containers/prune')).allow, false)
    assert.match((await decide(tls('alice'), 'POST', '/containers/create', {HostConfig: {NetworkMode: 'container:b1'}, Labels: {owner: 'alice'}})).msg ?? '', /cannot see/)
  })

  it('filters GET /containers/json and container events to her label', async () => {
    const d = await decide(tls('alice'), 'GET', '/containers/json')
    assert.equal(d.allow, true)
    const list = [{Id: 'a1', Labels: {owner: 'alice'}}, {Id: 'b1', Labels: {owner: 'bob'}}, {Id: 'c1', Labels: null}]
    assert.deepEqual(d.response?.json?.(list, 200), [list[0]])
    const ev = await decide(tls('alice'), 'GET', '/events')
    assert.equal(ev.response?.event?.({Actor: {Attributes: {owner: 'alice'}}, Type: 'container'}), true)
    assert.equal(ev.response?.event?.({Actor: {Attributes: {owner: 'bob'}}, Type: 'container'}), false)
    assert.equal(ev.response?.event?.({Actor: {Attributes: {}}, Type: 'image'}), true)
  })
})

describe('examples/authz-policy: policy files', () => {
  for (const [text, re] of [
    ['{"rules": [', /^line 1: invalid JSON: unexpected end of JSON input/],
    ['{\n"rules": [\n {"action": "allow"},\n {"action": "allow", "paht": "/x"}\n]}', /^line 4: rules\[1\]: unknown key "paht"/],
    ['{\n"rules": [\n {"action": "maybe"}\n]}', /^line 3: rules\[0\]: "action" must be "allow" or "deny"/],
    ['{"rules": [{"action": "allow", "path": "containers"}]}', /must start with "\/"/],
    ['{"rules": [{"action": "allow", "method": "FETCH"}]}', /unknown method "FETCH"/],
    ['{"rules": [{"action": "allow", "identity": {"group": "nope"}}]}', /no group "nope"/],
    ['{"rules": [{"action": "allow", "identity": {"cn": "a", "uid": 1}}]}', /not both/],
    ['{"rules": [{"action": "deny", "labels": {"a": "b"}}]}', /belongs to an "allow" rule/],
    ['{"rules": [{"action": "allow", "container": {"hostNamespaces": ["net"]}}]}', /unknown namespace "net"/],
    ['{"rules": [{"action": "allow", "container": {"bindSources": ["srv"]}}]}', /not an absolute path/],
    ['{"rules": [{"action": "allow", "action": "deny"}]}', /"action" given twice/],
    ['{"users": {}}', /unknown key "users"/],
  ] as const) {
    it(`${JSON.stringify(text)} → ${re}`, () => assert.throws(() => mod.compilePolicy(text, helpers, accounts), {message: re}))
  }
})

describe('route patterns (the API\'s own terms)', () => {
  const seg = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,12}$/)
  it('{id} takes exactly one non-empty segment', () => {
    const p = helpers.compileRoutePattern('/containers/{id}/logs')
    fc.assert(
      fc.property(seg, fc.array(seg, {maxLength: 3}), (id, more) => {
        assert.deepEqual(helpers.matchRoutePattern(p, 'GET', `/containers/${id}/logs`), {id})
        if (more.length > 0) assert.equal(helpers.matchRoutePattern(p, 'GET', `/containers/${[id, ...more].join('/')}/logs`), undefined)
        assert.equal(helpers.matchRoutePattern(p, 'GET', `/containers/${id}/logsx`), undefined)
      }),
    )
  })

  it('{name*} takes one or more segments; a method in the pattern must match', () => {
    const p = helpers.compileRoutePattern('GET /images/{name*}/json')
    fc.assert(
      fc.property(fc.array(seg, {maxLength: 4, minLength: 1}), (parts) => {
        assert.deepEqual(helpers.matchRoutePattern(p, 'GET', `/images/${parts.join('/')}/json`), {name: parts.join('/')})
        assert.equal(helpers.matchRoutePattern(p, 'HEAD', `/images/${parts.join('/')}/json`), undefined)
      }),
    )
  })

  it('literal segments are literal (regex characters do not leak)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z.+*?()[\]^$|]{1,8}$/), seg, (lit, other) => {
        fc.pre(lit !== other && lit !== '*')
        const p = helpers.compileRoutePattern(`/x/${lit}`)
        assert.ok(helpers.matchRoutePattern(p, 'GET', `/x/${lit}`))
        assert.equal(helpers.matchRoutePattern(p, 'GET', `/x/${other}`), undefined)
      }),
    )
  })
})

describe('the worked example', () => {
  it('docs/plugins.md quotes examples/authz-policy/policy.example.json, which compiles', async () => {
    const {readFileSync} = await import('node:fs')
    const {POLICY_EXAMPLE} = await import('../../../src/docs/plugins.js')
    const text = readFileSync(join(ROOT, 'examples', 'authz-policy', 'policy.example.json'), 'utf8')
    assert.equal(text.trimEnd(), POLICY_EXAMPLE)
    const compiled = mod.compilePolicy(text, helpers, accounts) as {rules: unknown[]}
    assert.equal(compiled.rules.length, 6)
    const ro = {listener: 'unix:///run/docker-ro.sock', method: 'unix', name: '', uid: 0} as CallerIdentity
    assert.equal((await mod.decide(compiled, request(ro, 'GET', '/containers/json'), helpers, accounts)).allow, true)
    assert.equal((await mod.decide(compiled, request(ro, 'POST', '/containers/create', {}), helpers, accounts)).rule, 'monitoring socket: nothing else')
  })
})
