// The example authorization plugin (examples/authz-policy) end to end: installed into the BUILT
// dockerd with `dockerd plugins link`, enabled with --authorization-plugin=policy, in front of an
// engine (a fake one here that records the exact bytes it receives), exercised with the real docker
// CLI over TLS with client certificates whose CNs are the policy's users, a second read-only unix
// socket, hand-made requests and the audit log.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {join} from 'node:path'
import tls from 'node:tls'
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
  runToExit,
  shortTemp,
  sleep,
  startDaemon,
  which,
} from '../helpers/daemon.js'
import {installMethod, installPolicyPlugin as installPlugin, makeUserCerts, PLUGIN_ROOT, type UserCerts} from '../helpers/authz.js'
import {BIN, isolatedEnv} from '../helpers/run.js'

const DOCKER = '/usr/local/bin/docker'
const escape = (s: string): string => s.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')

const skipReason = !daemonBuilt
  ? NOT_BUILT
  : !hasExecutable(DOCKER)
    ? `the docker CLI is not installed at ${DOCKER}`
    : which('openssl') === undefined
      ? 'the openssl CLI is not installed'
      : false

// ---------------------------------------------------------------------------------------------
// A fake upstream engine on a unix socket: records every request (with its exact body bytes) and
// answers what the docker CLI needs for ps, logs, exec, cp, create and events.

interface Seen {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
}

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const CONTAINERS = [
  {Command: 'sh', Created: 1, HostConfig: {NetworkMode: 'none'}, Id: A, Image: 'mini:1', ImageID: 'sha256:' + '1'.repeat(64), Labels: {owner: 'alice'}, Mounts: [], Names: ['/alice-c'], NetworkSettings: {Networks: {}}, Ports: [], State: 'running', Status: 'Up 1 second'},
  {Command: 'sh', Created: 1, HostConfig: {NetworkMode: 'none'}, Id: B, Image: 'mini:1', ImageID: 'sha256:' + '1'.repeat(64), Labels: {owner: 'bob'}, Mounts: [], Names: ['/bob-c'], NetworkSettings: {Networks: {}}, Ports: [], State: 'running', Status: 'Up 1 second'},
]

function startFakeEngine(path: string): Promise<{seen: Seen[]; close(): Promise<void>}> {
  const seen: Seen[] = []
  const byRef = (ref: string) => CONTAINERS.find((c) => c.Id.startsWith(ref) || c.Names[0] === `/${ref}`)
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({body: Buffer.concat(chunks), headers: req.headers, method: req.method ?? '', url: req.url ?? ''})
      const path = (req.url ?? '').split('?')[0]!.replace(/^\/v[\d.]+/, '')
      const json = (status: number, v: unknown) => {
        res.writeHead(status, {'Api-Version': '1.41', 'Content-Type': 'application/json'})
        res.end(JSON.stringify(v) + '\n')
      }

      if (path === '/_ping') {
        res.writeHead(200, {'Api-Version': '1.41', 'Content-Type': 'text/plain', Ostype: 'linux', Server: 'Docker/20.10.24 (linux)'})
        res.end(req.method === 'HEAD' ? undefined : 'OK')
        return
      }

      if (path === '/containers/json') return json(200, CONTAINERS)
      if (path === '/containers/create') return json(201, {Id: 'c'.repeat(64), Warnings: []})
      if (path === '/events') {
        res.writeHead(200, {'Content-Type': 'application/json'})
        for (const c of CONTAINERS) res.write(JSON.stringify({Action: 'start', Actor: {Attributes: {...c.Labels, name: c.Names[0]!.slice(1)}, ID: c.Id}, Type: 'container', from: 'mini:1', id: c.Id, scope: 'local', status: 'start', time: 1, timeNano: 1}) + '\n')
        res.end()
        return
      }

      const m = /^\/containers\/([^/]+)(\/.*)?$/.exec(path)
      const c = m ? byRef(m[1]!) : undefined
      if (m && !c) return json(404, {message: `No such container: ${m[1]}`})
      if (c && m![2] === '/json') return json(200, {Config: {Labels: c.Labels, Tty: true}, Id: c.Id, Name: c.Names[0], State: {Running: true}})
      if (c && m![2] === '/logs') {
        res.writeHead(200, {'Content-Type': 'application/vnd.docker.raw-stream'})
        res.end(`logs of ${c.Names[0]}\n`)
        return
      }

      if (c && m![2] === '/exec') return json(201, {Id: 'e'.repeat(64)})
      json(404, {message: 'page not found'})
    })
  })
  return new Promise((resolve) => {
    server.listen(path, () => resolve({close: () => new Promise<void>((r) => server.close(() => r())), seen}))
  })
}

/** One TLS connection as `user`: writes `data`, returns everything the server sent until it closed. */
function tlsExchange(certs: UserCerts, user: string, port: number, data: string | Buffer, ms = 8000): Promise<string> {
  const {cert, key} = certs.client(user)
  return new Promise((resolve) => {
    let got = ''
    const sock = tls.connect({ca: readFileSync(certs.ca), cert: readFileSync(cert), host: '127.0.0.1', key: readFileSync(key), port}, () => sock.write(data))
    const timer = setTimeout(() => sock.destroy(), ms)
    sock.setEncoding('utf8')
    sock.on('data', (d: string) => (got += d))
    sock.on('error', () => {})
    sock.on('close', () => {
      clearTimeout(timer)
      resolve(got)
    })
  })
}

const statuses = (raw: string): number[] => [...raw.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]))
const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}): string => {
  const head = {'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Host: 'docker', ...headers}
  return `POST ${path} HTTP/1.1\r\n${Object.entries(head).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`
}

const chunked = (path: string, parts: string[], headers: Record<string, string> = {}): string =>
  `POST ${path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n` +
  parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') +
  '0\r\n\r\n'

// ---------------------------------------------------------------------------------------------

describe('examples/authz-policy in front of an engine (built bin/run.js, docker CLI over TLS, a read-only unix socket)', {skip: skipReason, timeout: 240_000}, () => {
  let shared: Temp
  let certs: UserCerts
  let dataDir: string

  before(() => {
    shared = shortTemp()
    certs = makeUserCerts(shared.p('certs'), ['alice', 'bob', 'admin'])
    dataDir = shared.p('plugins')
    installPlugin(shared.dir, dataDir)
  })
  after(() => shared?.done())

  let t: Temp
  let d: Daemon | undefined
  let engine: Awaited<ReturnType<typeof startFakeEngine>> | undefined
  beforeEach(() => {
    t = shortTemp()
  })
  afterEach(async () => {
    if (d?.running()) await d.stop('SIGKILL', 5000).catch(() => null)
    d = undefined
    await engine?.close()
    engine = undefined
    t.done()
  })

  const env = (): NodeJS.ProcessEnv => ({DOCKERD_DATA_DIR: dataDir})
  const tlsArgs = (port: number): string[] => ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey, '-H', `tcp://127.0.0.1:${port}`]
  const docker = (user: string, port: number, ...args: string[]) => {
    const {cert, key} = certs.client(user)
    return execTool(DOCKER, ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', cert, '--tlskey', key, '-H', `tcp://127.0.0.1:${port}`, ...args], {env: dockerCliEnv(t.dir), ms: 30_000})
  }

  const dockerUnix = (sock: string, ...args: string[]) => execTool(DOCKER, ['-H', `unix://${sock}`, ...args], {env: dockerCliEnv(t.dir), ms: 30_000})

  /** The policy of the worked example (docs/plugins.md), with this test's socket paths and uid. */
  const policyFor = (ro: string, main: string) => ({
    rules: [
      {action: 'allow', method: ['GET', 'HEAD'], name: 'ping', path: '/_ping'},
      {action: 'allow', listener: `unix://${ro}`, method: ['GET', 'HEAD'], name: 'read-only socket', path: ['/version', '/info', '/containers/json', '/containers/{id}/json', '/containers/{id}/logs', '/events']},
      {action: 'deny', listener: `unix://${ro}`, name: 'read-only socket: nothing else'},
      {action: 'allow', identity: {uid: process.getuid!()}, listener: `unix://${main}`, name: 'local admin'},
      {action: 'allow', container: {bindSources: true, capAdd: true, devices: true, hostNamespaces: true, privileged: true}, identity: {cn: 'admin'}, name: 'admin'},
      {action: 'allow', identity: {cn: 'alice'}, labels: {owner: 'alice'}, name: 'alice'},
      {action: 'allow', identity: {cn: 'bob'}, name: 'bob', path: ['/version', '/containers/json', '/containers/create', '/containers/{id}/json', '/info']},
    ],
  })

  async function start(extra: string[] = []): Promise<{port: number; ro: string; main: string; audit: string}> {
    const policy = t.p('policy.json')
    const ro = t.p('ro.sock')
    const main = t.p('docker.sock')
    const audit = t.p('audit.log')
    writeFileSync(policy, JSON.stringify(policyFor(ro, main), null, 2))
    engine = await startFakeEngine(t.p('engine.sock'))
    const port = await freePort()
    d = await startDaemon([...baseArgs(t), '-H', `unix://${ro}`, ...tlsArgs(port), '--engine-host', `unix://${t.p('engine.sock')}`, '--authorization-plugin=policy', '--authz-policy-file', policy, '--audit-log', audit, ...extra], {env: env(), home: t.dir})
    return {audit, main, port, ro}
  }

  const creates = () => engine!.seen.filter((s) => s.method === 'POST' && s.url.includes('/containers/create'))

  it('is installed: its flag is in dockerd --help under AUTHZ POLICY', (ctx) => {
    ctx.diagnostic(`installed with: ${installMethod}`)
    const r = spawnSync(process.execPath, [BIN, '--help'], {encoding: 'utf8', env: isolatedEnv(t.dir, env()), timeout: 30_000})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /AUTHZ POLICY FLAGS\n {2}--authz-policy-file=string/)
    assert.match(r.stdout, /--audit-log=string/)
    assert.match(r.stdout, /--authorization-body-limit=bytes/)
  })

  it('label-limited alice sees only her containers: docker ps filtered, 404 for the others\' logs, exec and cp', async () => {
    const {port} = await start()
    const ps = await docker('alice', port, 'ps', '--format', '{{.Names}}')
    assert.equal(ps.code, 0, ps.stderr)
    assert.equal(ps.stdout.trim(), 'alice-c')
    const admin = await docker('admin', port, 'ps', '--format', '{{.Names}}')
    assert.deepEqual(admin.stdout.trim().split('\n').sort(), ['alice-c', 'bob-c'])

    const mine = await docker('alice', port, 'logs', 'alice-c')
    assert.equal(mine.code, 0, mine.stderr)
    assert.equal(mine.stdout, 'logs of /alice-c\n')
    for (const args of [['logs', 'bob-c'], ['exec', 'bob-c', 'ls'], ['cp', 'bob-c:/etc/hostname', t.p('out')], ['inspect', 'bob-c'], ['stop', 'bob-c'], ['rm', 'bob-c']]) {
      const r = await docker('alice', port, ...args)
      assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.stdout}`)
      assert.match(r.stderr, /No such container|No such object/, args.join(' '))
      assert.doesNotMatch(r.stderr, /authorization|denied|policy/i, `${args.join(' ')} does not say the container exists`)
    }

    // Nothing about bob's container reached the engine but the policy's own look-ups.
    assert.ok(!engine!.seen.some((s) => s.url.includes(`/containers/bob-c/`) && !s.url.endsWith('/json')), JSON.stringify(engine!.seen.map((s) => `${s.method} ${s.url}`)))

    // Events: the same filter on the stream merged from the engine.
    const raw = await tlsExchange(certs, 'alice', port, 'GET /v1.41/events?since=0&until=2 HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n')
    assert.match(raw, /"owner":"alice"/)
    assert.doesNotMatch(raw, /"owner":"bob"/)
    assert.equal(await d!.stop('SIGTERM'), 0, d!.stderr())
  })

  it('docker create --privileged, -v /etc:/x, --pid host, --cap-add SYS_ADMIN, --device: refused for bob, allowed for admin', async () => {
    const {port} = await start()
    for (const flags of [['--privileged'], ['-v', '/etc:/x'], ['--pid', 'host'], ['--cap-add', 'SYS_ADMIN'], ['--device', '/dev/null'], ['--network', 'host'], ['--mount', 'type=bind,source=/,target=/host']]) {
      const before = creates().length
      const bob = await docker('bob', port, 'create', ...flags, 'mini:1')
      assert.notEqual(bob.code, 0, `bob ${flags.join(' ')}: ${bob.stdout}`)
      assert.match(bob.stderr, /authorization denied by plugin policy: rule "bob": /, flags.join(' '))
      assert.equal(creates().length, before, `bob's ${flags.join(' ')} never reached the engine`)
      const admin = await docker('admin', port, 'create', ...flags, 'mini:1')
      assert.equal(admin.code, 0, `admin ${flags.join(' ')}: ${admin.stderr}`)
      assert.equal(creates().length, before + 1)
    }

    const plain = await docker('bob', port, 'create', 'mini:1')
    assert.equal(plain.code, 0, plain.stderr)
    assert.equal(await d!.stop('SIGTERM'), 0, d!.stderr())
  })

  it('hand-made requests: Content-Length 0 plus a body, chunked, oversized, wrong content type, duplicated keys, case variants', async () => {
    const {port} = await start(['--authorization-body-limit', '4k'])
    const privileged = '{"Image":"mini:1","HostConfig":{"Privileged":true}}'

    // CVE-2024-41110's shape: the bytes behind Content-Length: 0 are not this request's body. They
    // are parsed as the next request on the connection and authorized on their own.
    const smuggled = post('/v1.41/containers/create', '', {'Content-Length': '0'}) + post('/v1.41/containers/create', privileged, {Connection: 'close'})
    const raw = await tlsExchange(certs, 'bob', port, smuggled)
    assert.deepEqual(statuses(raw), [201, 403], raw)
    assert.match(raw, /authorization denied by plugin policy: rule \\"bob\\": privileged containers are not allowed/)
    assert.equal(creates().length, 1)
    assert.equal(creates()[0]!.body.length, 0, 'the engine got the first request without a body')
    assert.equal(creates()[0]!.headers['content-length'], '0')

    for (const [what, request, status, message] of [
      ['chunked', chunked('/v1.41/containers/create', ['{"Image":"mini:1","HostConfig":', '{"Privileged":true}}']), 403, /privileged containers are not allowed/],
      ['duplicated keys', post('/v1.41/containers/create', '{"HostConfig":{"Privileged":false,"Privileged":true}}', {Connection: 'close'}), 403, /privileged containers/],
      ['a lower-case key', post('/v1.41/containers/create', '{"hostconfig":{"privileged":true}}', {Connection: 'close'}), 403, /privileged containers/],
      ['a Kelvin sign in NetworkMode', post('/v1.41/containers/create', '{"HostConfig":{"Networ\u212AMode":"host"}}', {Connection: 'close'}), 403, /network namespace/],
      ['a second HostConfig object', post('/v1.41/containers/create', '{"HostConfig":{"Privileged":true},"HostConfig":{"Memory":0}}', {Connection: 'close'}), 403, /privileged containers/],
      ['text/plain', post('/v1.41/containers/create', privileged, {Connection: 'close', 'Content-Type': 'text/plain'}), 400, /unsupported Content-Type header \(text\/plain\)/],
      ['no content type', post('/v1.41/containers/create', privileged, {Connection: 'close', 'Content-Type': ''}), 400, /unsupported Content-Type header/],
      ['oversized', post('/v1.41/containers/create', JSON.stringify({Env: ['X='.padEnd(5000, 'x')], HostConfig: {}}), {Connection: 'close'}), 413, /larger than the authorization inspection limit \(4096 bytes/],
      ['oversized, chunked', chunked('/v1.41/containers/create', ['{"Env":["', 'x'.repeat(3000), 'x'.repeat(3000), '"]}']), 413, /inspection limit/],
    ] as const) {
      const r = await tlsExchange(certs, 'bob', port, request)
      assert.equal(statuses(r)[0], status, `${what}: ${r}`)
      assert.match(r, message, what)
    }

    assert.equal(creates().length, 1, 'none of the refused bodies reached the engine')
    assert.ok(!engine!.seen.some((s) => /rivileged|ost"/i.test(s.body.toString())))

    // An allowed chunked body arrives as exactly the bytes the policy saw, with their own length.
    const body = '{"Image":"mini:1","HostConfig":{"Privileged":false}}'
    const ok = await tlsExchange(certs, 'bob', port, chunked('/v1.41/containers/create', [body.slice(0, 10), body.slice(10)]))
    assert.equal(statuses(ok)[0], 201, ok)
    const last = creates().at(-1)!
    assert.equal(last.body.toString(), body)
    assert.equal(last.headers['content-length'], String(body.length))
    assert.equal(last.headers['transfer-encoding'], undefined)
    assert.equal(await d!.stop('SIGTERM'), 0, d!.stderr())
  })

  it('the read-only socket can ps, logs and events but cannot create, start, exec or remove', async () => {
    const {ro, main} = await start()
    const ps = await dockerUnix(ro, 'ps', '--format', '{{.Names}}')
    assert.equal(ps.code, 0, ps.stderr)
    assert.equal(ps.stdout.trim().split('\n').length, 2)
    const logs = await dockerUnix(ro, 'logs', 'bob-c')
    assert.equal(logs.code, 0, logs.stderr)
    const events = await dockerUnix(ro, 'events', '--since', '0', '--until', '2')
    assert.equal(events.code, 0, events.stderr)
    assert.match(events.stdout, /container start/)
    for (const args of [['create', 'mini:1'], ['start', 'bob-c'], ['exec', 'bob-c', 'ls'], ['rm', 'bob-c'], ['stop', 'bob-c']]) {
      const r = await dockerUnix(ro, ...args)
      assert.notEqual(r.code, 0, args.join(' '))
      assert.match(r.stderr, /authorization denied by plugin policy: rule "read-only socket: nothing else" denies unix uid \d+/, args.join(' '))
    }

    // The same caller on the main socket may.
    const create = await dockerUnix(main, 'create', 'mini:1')
    assert.equal(create.code, 0, create.stderr)
    assert.equal(await d!.stop('SIGTERM'), 0, d!.stderr())
  })

  it('the audit log has one line per request with the deciding rule, and no secrets; denials are logged as dockerd does', async () => {
    const {audit, port, ro} = await start()
    writeFileSync(audit, '') // the start's own ping lines are not this test's
    const secret = 'c2VjcmV0LXBhc3N3b3JkLTEyMzQ1'
    await docker('bob', port, 'version')
    const raw = await tlsExchange(certs, 'bob', port, post('/v1.41/containers/create', '{"Image":"x","Env":["PASSWORD=hunter2"],"HostConfig":{"Privileged":true}}', {Connection: 'close', 'X-Registry-Auth': secret}))
    assert.equal(statuses(raw)[0], 403)
    await api(ro, '/v1.41/containers/json')
    await api(ro, '/v1.41/containers/create', {method: 'POST'})

    // A line is written when the answer is complete on the daemon's side, which may be just after
    // the client has read it.
    const paths = () => readFileSync(audit, 'utf8').split('\n').filter((l) => l.includes('"/containers/')).length
    for (let i = 0; i < 100 && paths() < 3; i++) await sleep(50)
    const text = readFileSync(audit, 'utf8')
    assert.ok(!text.includes(secret) && !text.includes('hunter2'), 'no header, no body')
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    const keyed = lines.map((l) => `${l.method} ${l.path} ${l.decision} ${l.rule} ${l.status}`)
    assert.deepEqual(
      keyed.filter((k) => !k.startsWith('HEAD /_ping') && !k.startsWith('GET /_ping')),
      ['GET /version allow bob 200', 'POST /containers/create deny bob 403', 'GET /containers/json allow read-only socket 200', 'POST /containers/create deny read-only socket: nothing else 403'],
    )
    const bobLine = lines.find((l) => l.path === '/version')!
    assert.deepEqual(Object.keys(bobLine), ['time', 'listener', 'identity', 'method', 'path', 'route', 'decision', 'plugin', 'rule', 'status', 'bytes', 'duration_ms'])
    assert.equal(bobLine.listener, `tcp://127.0.0.1:${port}`)
    assert.deepEqual((bobLine.identity as {method: string; name: string}).method, 'tls')
    assert.deepEqual((bobLine.identity as {method: string; name: string}).name, 'bob')
    const roLine = lines.find((l) => l.listener === `unix://${ro}`)!
    assert.equal((roLine.identity as {uid?: number}).uid, process.getuid!())

    assert.match(d!.stderr(), /level=warning msg="AuthZRequest for POST \/v1.41\/containers\/create returned error: authorization denied by plugin policy: rule \\"bob\\": privileged containers are not allowed/)

    // Rotation: moved away, SIGHUP, new lines go to a new file.
    renameSync(audit, `${audit}.1`)
    const mark = d!.mark()
    process.kill(d!.pid, 'SIGHUP')
    await d!.waitFor(/msg="audit log reopened"/, 10_000, mark)
    await api(ro, '/v1.41/containers/json')
    for (let i = 0; i < 100 && !existsSync(audit); i++) await sleep(50)
    for (let i = 0; i < 100 && !readFileSync(audit, 'utf8').includes('/containers/json'); i++) await sleep(50)
    assert.match(readFileSync(audit, 'utf8'), /"path":"\/containers\/json"/)
    assert.equal(await d!.stop('SIGTERM'), 0, d!.stderr())
  })

  it('refuses to start when the audit log cannot be written, naming it', async () => {
    const r = await runToExit([...baseArgs(t), '--audit-log', t.p('no/such/dir/audit.log')], {env: env(), home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, new RegExp(`failed to start daemon: plugin audit: cannot write the audit log ${escape(t.p('no/such/dir/audit.log'))}: no such file or directory`))
    assert.ok(!existsSync(t.p('docker.sock')), 'API socket removed')
  })

  it('a reload changes the policy; a broken file names file:line and keeps the old policy', async () => {
    const {port} = await start()
    const policy = t.p('policy.json')
    assert.notEqual((await docker('bob', port, 'info')).code, 1, 'bob may read /info')
    const doc = JSON.parse(readFileSync(policy, 'utf8')) as {rules: Array<Record<string, unknown>>}
    writeFileSync(policy, JSON.stringify({rules: doc.rules.filter((r) => r.name !== 'bob')}, null, 2))
    let mark = d!.mark()
    process.kill(d!.pid, 'SIGHUP')
    await d!.waitFor(/level=info msg="authorization policy reloaded"/, 10_000, mark)
    const bob = await docker('bob', port, 'version')
    assert.notEqual(bob.code, 0)
    assert.match(bob.stderr, /authorization denied by plugin policy: no rule allows tls user "bob" to GET \/version/)

    writeFileSync(policy, '{\n  "rules": [\n    {"action": "allow", "paht": "/x"}\n  ]\n}\n')
    mark = d!.mark()
    process.kill(d!.pid, 'SIGHUP')
    await d!.waitFor(/level=error msg="failed to reload authorization policy: /, 10_000, mark)
    assert.match(d!.stderr().slice(mark), new RegExp(`invalid authorization policy file ${escape(policy)}:3: rules\\[0\\]: unknown key \\\\"paht\\\\"`))
    const alice = await docker('alice', port, 'ps', '--format', '{{.Names}}')
    assert.equal(alice.stdout.trim(), 'alice-c', 'the old policy is kept')
    assert.equal(await d!.stop('SIGTERM'), 0, d!.stderr())
  })

  for (const [what, content, why] of [
    ['broken JSON', '{"rules": ', (f: string) => new RegExp(`invalid authorization policy file ${escape(f)}:1: invalid JSON`)],
    ['a rule without an action', '{\n"rules": [{"path": "/_ping"}]}', (f: string) => new RegExp(`invalid authorization policy file ${escape(f)}:2: rules\\[0\\]: "action" must be "allow" or "deny"`)],
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

  it('a verified certificate without a CN is a TLS caller named by its SAN, never a local one (issue 10 #2)', async () => {
    const dir = shared.p('certs')
    // Client certificates of the same CA with unusual subjects.
    const client = (name: string, subject: string, ext: string) => {
      const run = (args: string[]) => {
        const r = spawnSync('openssl', args, {cwd: dir, encoding: 'utf8', timeout: 20_000})
        if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
      }
      run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject])
      writeFileSync(join(dir, `${name}.ext`), `extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n${ext}`)
      run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`])
      return {cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`)}
    }

    const carol = client('carol', '/O=no-cn', 'subjectAltName=DNS:carol.example\n')
    const nobody = client('nobody', '/O=no-name', '')
    const twoCNs = client('twocn', '/CN=first/CN=second', '')
    const policy = t.p('policy.json')
    // Local callers may do anything: a certificate taken for one would get everything.
    writeFileSync(policy, JSON.stringify({rules: [
      {action: 'allow', method: ['GET', 'HEAD'], name: 'ping', path: '/_ping'},
      {action: 'allow', identity: {cn: 'carol.example'}, name: 'carol', path: '/version'},
      {action: 'allow', identity: {cn: 'second'}, name: 'second', path: '/version'},
      {action: 'allow', identity: {method: 'unix'}, name: 'local'},
    ]}))
    const port = await freePort()
    d = await startDaemon([...baseArgs(t), ...tlsArgs(port), '--authorization-plugin=policy', '--authz-policy-file', policy], {env: env(), home: t.dir})
    const as = (c: {cert: string; key: string}, ...args: string[]) =>
      execTool(DOCKER, ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', c.cert, '--tlskey', c.key, '-H', `tcp://127.0.0.1:${port}`, ...args], {env: dockerCliEnv(t.dir), ms: 30_000})
    const byCarol = await as(carol, 'version', '--format', '{{.Server.Version}}')
    assert.equal(byCarol.code, 0, `a SAN-only certificate is named by its SAN: ${byCarol.stderr}`)
    const carolInfo = await as(carol, 'info')
    assert.match(carolInfo.stderr, /authorization denied by plugin policy: no rule allows tls user "carol\.example" to GET \/info/)
    const byNobody = await as(nobody, 'version')
    assert.notEqual(byNobody.code, 0, 'a certificate that names nobody gets no local rights')
    assert.match(byNobody.stderr, /authorization denied by plugin policy/)
    const bySecond = await as(twoCNs, 'version', '--format', '{{.Server.Version}}')
    assert.equal(bySecond.code, 0, `several CNs: the last one, as Go reads it: ${bySecond.stderr}`)
    // The local caller on the unix socket is allowed everything.
    assert.equal((await api(t.p('docker.sock'), '/v1.45/info')).status, 200)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
  })

  it('refuses --authorization-plugin=policy without a policy file, naming the flag', async () => {
    const r = await runToExit([...baseArgs(t), '--authorization-plugin=policy'], {env: env(), home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /authorization plugin "policy" needs a policy file: set --authz-policy-file/)
  })

  it('ships as a dependency-free package with the dockerd:plugin hook', () => {
    const pkg = JSON.parse(readFileSync(join(PLUGIN_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
    assert.equal(pkg.name, 'dockerd-authz-policy')
    assert.equal(pkg.type, 'module')
    assert.deepEqual((pkg.oclif as {hooks: unknown}).hooks, {'dockerd:plugin': './plugin.js'})
    for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) assert.equal(pkg[key], undefined, key)
    assert.ok((pkg.files as string[]).includes('plugin.js'))
    assert.doesNotMatch(readFileSync(join(PLUGIN_ROOT, 'plugin.js'), 'utf8'), /@oclif\/core/)
  })
})
