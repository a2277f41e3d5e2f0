// The example authorization plugin (examples/authz-policy) end to end: installed into the BUILT
// dockerd with `dockerd plugins link`, enabled with --authorization-plugin=policy, exercised with
// the real docker CLI over TLS with client certificates whose CNs are the policy's users.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {
  NOT_BUILT,
  type Daemon,
  type Temp,
  api,
  baseArgs,
  daemonBuilt,
  dockerCliEnv,
  execTool,
  freePort,
  hasExecutable,
  logLines,
  runToExit,
  shortTemp,
  startDaemon,
  which,
} from '../helpers/daemon.js'
import {BIN, ROOT, isolatedEnv} from '../helpers/run.js'

const DOCKER = '/usr/local/bin/docker'
const PLUGIN_ROOT = join(ROOT, 'examples', 'authz-policy')
const escape = (s: string): string => s.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')

const skipReason = !daemonBuilt
  ? NOT_BUILT
  : !hasExecutable(DOCKER)
    ? `the docker CLI is not installed at ${DOCKER}`
    : which('openssl') === undefined
      ? 'the openssl CLI is not installed'
      : false

// ---------------------------------------------------------------------------------------------
// Certificates: a CA, a server certificate for 127.0.0.1, client certificates for alice and bob.

interface UserCerts {
  ca: string
  serverCert: string
  serverKey: string
  /** `<name>.pem` / `<name>-key.pem` for each client. */
  client(name: string): {cert: string; key: string}
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, {cwd, encoding: 'utf8', timeout: 20_000})
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`)
}

function makeUserCerts(dir: string, clients: readonly string[]): UserCerts {
  mkdirSync(dir, {recursive: true})
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(['req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=authz-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir)
  const leaf = (name: string, ext: string): void => {
    openssl(['req', '-new', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir)
    writeFileSync(join(dir, `${name}.ext`), ext)
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir)
  }

  leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n')
  for (const name of clients) leaf(name, 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n')
  return {
    ca: join(dir, 'ca.pem'),
    client: (name) => ({cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`)}),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
  }
}

/** A client certificate of the CA made by makeUserCerts(dir) with any subject and extensions. */
function extraClient(dir: string, name: string, subject: string, ext: string): {cert: string; key: string} {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(['req', '-new', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject, '-multivalue-rdn'], dir)
  writeFileSync(join(dir, `${name}.ext`), `extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n${ext}`)
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir)
  return {cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`)}
}

// ---------------------------------------------------------------------------------------------
// Installing the example plugin into an isolated DOCKERD_DATA_DIR

let installMethod = ''

/**
 * `dockerd plugins link <abs path> --no-install` with DOCKERD_DATA_DIR=dataDir. Until the
 * `plugins` command exists in the built binary, falls back to writing the data dir's
 * package.json the way @oclif/plugin-plugins does for a linked plugin (and says so).
 */
function installPlugin(home: string, dataDir: string): void {
  mkdirSync(dataDir, {recursive: true})
  const r = spawnSync(process.execPath, [BIN, 'plugins', 'link', PLUGIN_ROOT, '--no-install'], {
    encoding: 'utf8',
    env: isolatedEnv(home, {DOCKERD_DATA_DIR: dataDir}),
    timeout: 60_000,
  })
  if (r.status === 0) {
    installMethod = 'dockerd plugins link'
    return
  }

  // The daemon command itself answered: there is no `plugins` command (yet).
  const noPluginsCommand = /unknown flag: --no-install|"dockerd" accepts no argument/.test(r.stderr)
  if (!noPluginsCommand) throw new Error(`dockerd plugins link failed (status ${r.status}):\n${r.stderr}${r.stdout}`)
  installMethod = 'fallback: wrote <DOCKERD_DATA_DIR>/package.json (the built dockerd has no `plugins link` command yet)'
  writeFileSync(
    join(dataDir, 'package.json'),
    JSON.stringify({oclif: {plugins: [{name: 'dockerd-authz-policy', root: PLUGIN_ROOT, type: 'link'}], schema: 1}, private: true}, null, 2),
  )
}

// ---------------------------------------------------------------------------------------------

const POLICY = {
  users: {
    alice: [
      {method: 'GET', path: '/_ping'},
      {method: 'HEAD', path: '/_ping'},
      {method: 'GET', path: '/version'},
    ],
    bob: [{path: '/_ping'}],
    // The unix socket (no client certificate): enough for the test helper's readiness ping.
    'unix-socket': [{method: 'GET', path: '/_ping'}],
  },
}

describe('examples/authz-policy (built bin/run.js, docker CLI over TLS)', {skip: skipReason, timeout: 180_000}, () => {
  let shared: Temp
  let certs: UserCerts
  let dataDir: string

  before(() => {
    shared = shortTemp()
    certs = makeUserCerts(shared.p('certs'), ['alice', 'bob'])
    dataDir = shared.p('plugins')
    installPlugin(shared.dir, dataDir)
  })
  after(() => shared?.done())

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

  const env = (): NodeJS.ProcessEnv => ({DOCKERD_DATA_DIR: dataDir})
  const tlsArgs = (port: number): string[] => ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey, '-H', `tcp://127.0.0.1:${port}`]
  const docker = (user: string, port: number, ...args: string[]) => {
    const {cert, key} = certs.client(user)
    return execTool(DOCKER, ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', cert, '--tlskey', key, '-H', `tcp://127.0.0.1:${port}`, ...args], {
      env: dockerCliEnv(t.dir),
      ms: 30_000,
    })
  }

  it('is installed: its flags are in dockerd --help under AUTHZ POLICY', (ctx) => {
    ctx.diagnostic(`installed with: ${installMethod}`)
    const r = spawnSync(process.execPath, [BIN, '--help'], {encoding: 'utf8', env: isolatedEnv(t.dir, env()), timeout: 30_000})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /AUTHZ POLICY FLAGS\n {2}--authz-default-user=string[^]*--authz-policy-file=string/)
  })

  it('allows and denies by client certificate CN; a reload changes the policy, a broken file keeps it', async (ctx) => {
    ctx.diagnostic(`installed with: ${installMethod}`)
    const policy = t.p('policy.json')
    writeFileSync(policy, JSON.stringify(POLICY))
    const port = await freePort()
    d = await startDaemon([...baseArgs(t), ...tlsArgs(port), '--authorization-plugin=policy', '--authz-policy-file', policy], {env: env(), home: t.dir})
    assert.match(d.stderr(), new RegExp(`level=info msg="authorization policy loaded" file=${escape(policy)} users=3`))

    const alice = await docker('alice', port, 'version', '--format', '{{.Server.Version}}')
    assert.equal(alice.code, 0, `alice: ${alice.stderr}`)
    assert.match(alice.stdout.trim(), /^\S+$/, 'the server version is printed')

    const bob = await docker('bob', port, 'version')
    assert.notEqual(bob.code, 0, `bob must be denied: ${bob.stdout}`)
    assert.match(bob.stderr, /authorization denied by plugin policy: user "bob" is not allowed to GET \/version/)

    // Callers without a client certificate are the default user (unix-socket).
    const sock = t.p('docker.sock')
    assert.equal((await api(sock, '/_ping')).status, 200)
    const local = await api(sock, '/v1.45/version')
    assert.equal(local.status, 403)
    assert.equal(JSON.parse(local.body).message, 'authorization denied by plugin policy: user "unix-socket" is not allowed to GET /version')

    // Reload with a policy that lets bob read /version: same file name, new content.
    writeFileSync(policy, JSON.stringify({users: {...POLICY.users, bob: [{path: '/_ping'}, {method: 'GET', path: '/version'}]}}))
    let mark = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(/level=info msg="authorization policy reloaded"/, 10_000, mark)
    const bob2 = await docker('bob', port, 'version', '--format', '{{.Server.Version}}')
    assert.equal(bob2.code, 0, `bob after the reload: ${bob2.stderr}`)

    // Reload with a broken file: logged at error level naming it, the policy in force is kept.
    writeFileSync(policy, '{"users": {"bob": [ {"path": "/_ping"} ]')
    mark = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(/level=error msg="failed to reload authorization policy: /, 10_000, mark)
    const errors = logLines(d.stderr().slice(mark)).filter((l) => l.level === 'error')
    assert.equal(errors.length, 1, d.stderr().slice(mark))
    assert.match(errors[0]!.msg, new RegExp(`invalid authorization policy file ${escape(policy)}: invalid JSON`))
    const bob3 = await docker('bob', port, 'version', '--format', '{{.Server.Version}}')
    assert.equal(bob3.code, 0, `bob keeps the old policy: ${bob3.stderr}`)
    const alice3 = await docker('alice', port, 'version', '--format', '{{.Server.Version}}')
    assert.equal(alice3.code, 0, `alice keeps the old policy: ${alice3.stderr}`)
    assert.ok(d.running(), 'a broken policy on reload never stops the daemon')

    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
  })

  it('a verified certificate without a CN is a TLS caller, never the local user (issue 10 #2)', async () => {
    const dir = shared.p('certs')
    const carol = extraClient(dir, 'carol', '/O=no-cn', 'subjectAltName=DNS:carol.example\n')
    const nobody = extraClient(dir, 'nobody', '/O=no-name', '')
    const twoCNs = extraClient(dir, 'twocn', '/CN=first/CN=second', '')
    const policy = t.p('policy.json')
    // The local user may do anything: a certificate mistaken for it would get everything.
    writeFileSync(policy, JSON.stringify({users: {'carol.example': [{path: '/_ping'}, {path: '/version'}], second: [{path: '/_ping'}, {path: '/version'}], 'unix-socket': [{path: '*'}]}}))
    const port = await freePort()
    d = await startDaemon([...baseArgs(t), ...tlsArgs(port), '--authorization-plugin=policy', '--authz-policy-file', policy], {env: env(), home: t.dir})
    const as = (c: {cert: string; key: string}, ...args: string[]) =>
      execTool(DOCKER, ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', c.cert, '--tlskey', c.key, '-H', `tcp://127.0.0.1:${port}`, ...args], {env: dockerCliEnv(t.dir), ms: 30_000})
    const byCarol = await as(carol, 'version', '--format', '{{.Server.Version}}')
    assert.equal(byCarol.code, 0, `a SAN-only certificate is named by its SAN: ${byCarol.stderr}`)
    const carolInfo = await as(carol, 'info')
    assert.match(carolInfo.stderr, /user "carol\.example" is not allowed to GET \/info/)
    const byNobody = await as(nobody, 'version')
    assert.notEqual(byNobody.code, 0)
    assert.match(byNobody.stderr, /authorization denied by plugin policy: client certificate names no user/)
    const bySecond = await as(twoCNs, 'version', '--format', '{{.Server.Version}}')
    assert.equal(bySecond.code, 0, `several CNs: the last one, as Go reads it: ${bySecond.stderr}`)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
  })

  it('takes authz-policy-file and authz-default-user from daemon.json and follows a new file name on reload', async () => {
    const p1 = t.p('p1.json')
    const p2 = t.p('p2.json')
    writeFileSync(p1, JSON.stringify({users: {local: [{method: 'GET', path: '/_ping'}]}}))
    writeFileSync(p2, JSON.stringify({users: {local: [{method: 'GET', path: '/_ping'}, {method: 'GET', path: '/v*'}]}}))
    const config = (file: string) => JSON.stringify({'authorization-plugins': ['policy'], 'authz-default-user': 'local', 'authz-policy-file': file})
    d = await startDaemon(baseArgs(t, {config: config(p1)}), {env: env(), home: t.dir})
    const sock = t.p('docker.sock')
    const denied = await api(sock, '/version')
    assert.equal(denied.status, 403)
    assert.match(denied.body, /user \\"local\\" is not allowed to GET \/version/)

    writeFileSync(t.p('daemon.json'), config(p2))
    const mark = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(new RegExp(`msg="authorization policy reloaded" file=${escape(p2)}`), 10_000, mark)
    assert.equal((await api(sock, '/version')).status, 200)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
  })

  for (const [what, content, why] of [
    ['broken JSON', '{"users": ', (f: string) => new RegExp(`invalid authorization policy file ${escape(f)}: invalid JSON`)],
    ['a rule without a path', '{"users": {"alice": [{"method": "GET"}]}}', (f: string) => new RegExp(`invalid authorization policy file ${escape(f)}: users\\["alice"\\]\\[0\\]: "path" must be a non-empty string`)],
    ['a missing file', undefined, (f: string) => new RegExp(`open ${escape(f)}: no such file or directory`)],
  ] as const) {
    it(`fails to start with ${what}, naming the file, leaving nothing behind`, async () => {
      const policy = t.p('policy.json')
      if (content !== undefined) writeFileSync(policy, content)
      const port = await freePort()
      const r = await runToExit([...baseArgs(t), ...tlsArgs(port), '--authorization-plugin=policy', '--authz-policy-file', policy], {env: env(), home: t.dir})
      assert.equal(r.code, 1, r.stderr)
      assert.match(r.stderr, /failed to start daemon: plugin dockerd-authz-policy: /)
      assert.match(r.stderr, why(policy))
      assert.ok(!existsSync(t.p('docker.sock')), 'API socket removed')
      assert.ok(!existsSync(t.p('docker.pid')), 'pidfile removed')
    })
  }

  it('refuses --authorization-plugin=policy without a policy file, naming the flag', async () => {
    const r = await runToExit([...baseArgs(t), '--authorization-plugin=policy'], {env: env(), home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /authorization plugin "policy" needs a policy file: set --authz-policy-file/)
  })

  it('ships as a dependency-free package with the dockerd:plugin hook', () => {
    const pkg = JSON.parse(readFileSync(join(PLUGIN_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
    assert.equal(pkg.name, 'dockerd-authz-policy')
    assert.equal(pkg.version, '1.0.0')
    assert.equal(pkg.type, 'module')
    assert.deepEqual((pkg.oclif as {hooks: unknown}).hooks, {'dockerd:plugin': './plugin.js'})
    for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) assert.equal(pkg[key], undefined, key)
    assert.ok((pkg.files as string[]).includes('plugin.js'))
    assert.doesNotMatch(readFileSync(join(PLUGIN_ROOT, 'plugin.js'), 'utf8'), /@oclif\/core/)
  })
})

// ---------------------------------------------------------------------------------------------
// The plugin object itself, without a daemon (runs even without docker/openssl).

interface PolicyModule {
  allowed(policy: unknown, user: string, method: string, path: string): boolean
  compilePolicy(text: string): Map<string, unknown[]>
  default(opts: {platform?: string}): Promise<{
    authorization: Record<string, (req: Record<string, unknown>) => {allow: boolean; msg?: string}>
    flagSets: Array<{helpGroup: string; options: Array<{default?: (ctx: {platform: string}) => unknown; name: string; reloadable?: boolean}>}>
    name: string
    reload(ctx: unknown): void
    start(ctx: unknown): void
  }>
}

describe('examples/authz-policy plugin.js (driven directly)', () => {
  const load = async (): Promise<PolicyModule> => (await import(join(PLUGIN_ROOT, 'plugin.js'))) as PolicyModule
  const fakeCtx = (values: Record<string, unknown>, logged: string[] = []) => ({
    config: {values},
    log: {debug() {}, error: (m: string) => void logged.push(`error ${m}`), info: (m: string) => void logged.push(`info ${m}`), warn: (m: string) => void logged.push(`warn ${m}`)},
    platform: 'linux',
  })
  const req = (user: string, method: string, path: string) => ({headers: {}, method, path, uri: `/v1.50${path}`, user, userAuthNMethod: user ? 'TLS' : ''})

  it('matches * wildcards across /, methods case-insensitively, method optional', async () => {
    const m = await load()
    const p = m.compilePolicy(JSON.stringify({users: {a: [{path: '/containers/*'}, {method: 'get', path: '/_ping'}, {method: '*', path: '/images/*/json'}]}}))
    assert.ok(m.allowed(p, 'a', 'DELETE', '/containers/abc'))
    assert.ok(m.allowed(p, 'a', 'GET', '/containers/abc/json'))
    assert.ok(!m.allowed(p, 'a', 'GET', '/containers'))
    assert.ok(m.allowed(p, 'a', 'GET', '/_ping'))
    assert.ok(!m.allowed(p, 'a', 'HEAD', '/_ping'))
    assert.ok(m.allowed(p, 'a', 'POST', '/images/x/y/json'))
    assert.ok(!m.allowed(p, 'a', 'GET', '/_pingx'), 'patterns are anchored')
    assert.ok(!m.allowed(p, 'b', 'GET', '/_ping'), 'unknown users get nothing')
    const dots = m.compilePolicy(JSON.stringify({users: {a: [{path: '/a.b'}]}}))
    assert.ok(!m.allowed(dots, 'a', 'GET', '/aXb'), 'only * is special')
    for (const [bad, re] of [
      ['[]', /must be a JSON object/],
      ['{"user": {}}', /unknown key "user"/],
      ['{"users": {"a": {}}}', /users\["a"\] must be an array/],
      ['{"users": {"a": [{"paht": "/x"}]}}', /users\["a"\]\[0\]: unknown key "paht"/],
      ['{"users": {"a": [{"path": "/x", "method": 7}]}}', /"method" must be a non-empty string/],
    ] as const) assert.throws(() => m.compilePolicy(bad), re, bad)
  })

  it('declares its flag set and answers with the deny message; reload keeps the old policy on a broken file', async () => {
    const m = await load()
    const plugin = await m.default({platform: 'linux'})
    assert.equal(plugin.name, 'dockerd-authz-policy')
    assert.equal(plugin.flagSets[0]!.helpGroup, 'AUTHZ POLICY')
    const opts = Object.fromEntries(plugin.flagSets[0]!.options.map((o) => [o.name, o]))
    assert.equal(opts['authz-policy-file']!.reloadable, true)
    assert.equal(opts['authz-default-user']!.default?.({platform: 'linux'}), 'unix-socket')
    assert.equal(opts['authz-default-user']!.default?.({platform: 'win32'}), 'npipe')

    const t = shortTemp()
    try {
      const file = t.p('policy.json')
      writeFileSync(file, JSON.stringify({users: {alice: [{method: 'GET', path: '/version'}], 'unix-socket': [{path: '/_ping'}]}}))
      const handler = plugin.authorization.policy!
      assert.deepEqual(handler(req('alice', 'GET', '/version')), {allow: false, msg: 'no authorization policy loaded (set --authz-policy-file)'})
      plugin.start(fakeCtx({'authorization-plugin': ['policy'], 'authz-default-user': 'unix-socket', 'authz-policy-file': file}))
      assert.deepEqual(handler(req('alice', 'GET', '/version')), {allow: true})
      assert.deepEqual(handler(req('', 'HEAD', '/_ping')), {allow: true})
      assert.deepEqual(handler(req('bob', 'GET', '/version')), {allow: false, msg: 'user "bob" is not allowed to GET /version'})
      assert.deepEqual(handler(req('', 'GET', '/version')), {allow: false, msg: 'user "unix-socket" is not allowed to GET /version'})

      writeFileSync(file, 'nope')
      const logged: string[] = []
      plugin.reload(fakeCtx({'authz-default-user': 'unix-socket', 'authz-policy-file': file}, logged))
      assert.equal(logged.length, 1)
      assert.match(logged[0]!, new RegExp(`^error failed to reload authorization policy: invalid authorization policy file ${escape(file)}: invalid JSON`))
      assert.deepEqual(handler(req('alice', 'GET', '/version')), {allow: true}, 'old policy kept')

      writeFileSync(file, JSON.stringify({users: {bob: [{path: '*'}]}}))
      plugin.reload(fakeCtx({'authz-default-user': 'me', 'authz-policy-file': file}))
      assert.deepEqual(handler(req('bob', 'POST', '/containers/create')), {allow: true})
      assert.equal(handler(req('alice', 'GET', '/version')).allow, false)
      assert.equal(handler(req('', 'GET', '/_ping')).msg, 'user "me" is not allowed to GET /_ping')
    } finally {
      t.done()
    }
  })
})
