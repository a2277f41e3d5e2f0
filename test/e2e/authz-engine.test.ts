// The policy plugin in front of the REAL engine (Debian's dockerd, private paths, mini:1 imported;
// test/helpers/engine.ts): docker CLI 28 over TLS as three users and through a read-only unix
// socket. What the fake-upstream test (authz.test.ts) proves byte by byte, this one proves with
// containers that really run: allowed runs run, refused ones never reach the engine, a label-limited
// user cannot see or touch another's container, exec (an upgraded request with a JSON body) works.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'

import {makeUserCerts, installPolicyPlugin, type UserCerts} from '../helpers/authz.js'
import {NOT_BUILT, type Daemon, type Temp, baseArgs, daemonBuilt, freePort, shortTemp, startDaemon, which} from '../helpers/daemon.js'
import {type Engine, IMAGE, dockerCli, engineSkipReason, startEngine} from '../helpers/engine.js'

const skip = !daemonBuilt ? NOT_BUILT : (engineSkipReason() ?? (which('openssl') === undefined ? 'the openssl CLI is not installed' : false))
const NONE = ['--network', 'none']

describe('examples/authz-policy in front of the real engine (docker CLI 28 over TLS, a read-only socket)', {skip, timeout: 300_000}, () => {
  let engine: Engine
  let t: Temp
  let d: Daemon
  let certs: UserCerts
  let port: number
  let ro: string
  const as = (user: string, args: string[], opts: {input?: string} = {}) => {
    const {cert, key} = certs.client(user)
    return dockerCli(`tcp://127.0.0.1:${port}`, ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', cert, '--tlskey', key, ...args], opts)
  }

  before(async () => {
    engine = await startEngine()
    t = shortTemp()
    certs = makeUserCerts(t.p('certs'), ['alice', 'bob', 'admin'])
    installPolicyPlugin(t.dir, t.p('plugins'))
    ro = t.p('ro.sock')
    const policy = {
      rules: [
        {action: 'allow', method: ['GET', 'HEAD'], name: 'ping', path: '/_ping'},
        {action: 'allow', listener: `unix://${ro}`, method: ['GET', 'HEAD'], name: 'read-only socket', path: ['/version', '/info', '/containers/json', '/containers/{id}/json', '/containers/{id}/logs', '/events']},
        {action: 'deny', listener: `unix://${ro}`, name: 'read-only socket: nothing else'},
        {action: 'allow', container: {bindSources: true, capAdd: true, devices: true, hostNamespaces: true, privileged: true}, identity: {cn: 'admin'}, name: 'admin'},
        {action: 'allow', identity: {cn: 'alice'}, labels: {owner: 'alice'}, name: 'alice'},
        {action: 'allow', identity: {cn: 'bob'}, name: 'bob'},
      ],
    }
    writeFileSync(t.p('policy.json'), JSON.stringify(policy, null, 2))
    port = await freePort()
    d = await startDaemon(
      [
        ...baseArgs(t), '-H', `unix://${ro}`, '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey, '-H', `tcp://127.0.0.1:${port}`,
        '--engine-host', engine.host, '--authorization-plugin=policy', '--authz-policy-file', t.p('policy.json'), '--shutdown-timeout', '3',
      ],
      {env: {DOCKERD_DATA_DIR: t.p('plugins')}, home: t.dir},
    )
  })

  after(async () => {
    if (d?.running()) await d.stop('SIGTERM', 15_000)
    await engine?.close()
    t?.done()
  })

  it('docker run works for alice with her label; refused without it', async () => {
    const r = await as('alice', ['run', '--rm', ...NONE, '--label', 'owner=alice', IMAGE, 'echo', 'hello alice'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'hello alice\n')
    const unlabelled = await as('alice', ['run', '--rm', ...NONE, IMAGE, 'echo', 'x'])
    assert.notEqual(unlabelled.code, 0)
    assert.match(unlabelled.stderr, /authorization denied by plugin policy: rule "alice": containers you create must carry the label owner=alice/)
  })

  for (const flags of [['--privileged'], ['-v', '/etc:/x'], ['--pid', 'host'], ['--cap-add', 'SYS_ADMIN'], ['--device', '/dev/null']]) {
    it(`docker run ${flags.join(' ')}: refused for bob, allowed for admin`, async () => {
      const before = await dockerCli(engine.host, ['ps', '-aq'])
      const bob = await as('bob', ['run', '--rm', ...NONE, ...flags, IMAGE, 'echo', 'bob'])
      assert.notEqual(bob.code, 0, bob.stdout)
      assert.match(bob.stderr, /authorization denied by plugin policy: rule "bob": /)
      assert.equal((await dockerCli(engine.host, ['ps', '-aq'])).stdout, before.stdout, 'nothing was created upstream')
      if (flags[0] === '--privileged') {
        // This sandbox's runc cannot start a privileged container: created is the proof here.
        const admin = await as('admin', ['create', ...NONE, ...flags, IMAGE, 'echo', 'admin'])
        assert.equal(admin.code, 0, admin.stderr)
        await dockerCli(engine.host, ['rm', '-f', admin.stdout.trim()])
      } else {
        const admin = await as('admin', ['run', '--rm', ...NONE, ...flags, IMAGE, 'echo', 'admin'])
        assert.equal(admin.code, 0, admin.stderr)
        assert.equal(admin.stdout, 'admin\n')
      }
    })
  }

  it('alice sees only her containers; another\'s logs, exec and cp answer "No such container"', async () => {
    const mine = await as('alice', ['run', '-d', ...NONE, '--name', 'alices', '--label', 'owner=alice', IMAGE, 'sleep', '60'])
    assert.equal(mine.code, 0, mine.stderr)
    const theirs = await as('admin', ['run', '-d', ...NONE, '--name', 'bobs', '--label', 'owner=bob', IMAGE, 'sleep', '60'])
    assert.equal(theirs.code, 0, theirs.stderr)
    try {
      const ps = await as('alice', ['ps', '--format', '{{.Names}}'])
      assert.equal(ps.code, 0, ps.stderr)
      assert.equal(ps.stdout.trim(), 'alices')
      const all = await as('admin', ['ps', '--format', '{{.Names}}'])
      assert.deepEqual(all.stdout.trim().split('\n').sort(), ['alices', 'bobs'])

      // exec: POST /containers/{id}/exec (JSON, inspected) then POST /exec/{id}/start (upgraded, JSON body).
      const exec = await as('alice', ['exec', 'alices', 'echo', 'inside'])
      assert.equal(exec.code, 0, exec.stderr)
      assert.equal(exec.stdout, 'inside\n')
      const privileged = await as('alice', ['exec', '--privileged', 'alices', 'echo', 'x'])
      assert.match(privileged.stderr, /privileged exec is not allowed/)

      for (const args of [['logs', 'bobs'], ['exec', 'bobs', 'ls'], ['cp', 'bobs:/bin/busybox', t.p('stolen')], ['stop', 'bobs'], ['rm', 'bobs']]) {
        const r = await as('alice', args)
        assert.notEqual(r.code, 0, args.join(' '))
        assert.match(r.stderr, /No such container/, `${args.join(' ')}: ${r.stderr}`)
      }

      assert.match((await dockerCli(engine.host, ['ps', '--format', '{{.Names}}'])).stdout, /bobs/, 'bob\'s container is untouched')

      // The read-only socket: ps and logs, nothing that changes anything.
      const rops = await dockerCli(`unix://${ro}`, ['ps', '--format', '{{.Names}}'])
      assert.equal(rops.code, 0, rops.stderr)
      assert.deepEqual(rops.stdout.trim().split('\n').sort(), ['alices', 'bobs'])
      assert.equal((await dockerCli(`unix://${ro}`, ['logs', 'bobs'])).code, 0)
      for (const args of [['run', '--rm', ...NONE, IMAGE, 'true'], ['exec', 'bobs', 'ls'], ['stop', 'bobs'], ['rm', '-f', 'bobs']]) {
        const r = await dockerCli(`unix://${ro}`, args)
        assert.notEqual(r.code, 0, args.join(' '))
        assert.match(r.stderr, /authorization denied by plugin policy: rule "read-only socket: nothing else"/, args.join(' '))
      }
    } finally {
      await dockerCli(engine.host, ['rm', '-f', 'alices', 'bobs'])
    }
  })
})
