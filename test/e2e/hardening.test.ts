// Issue 10, end to end through the BUILT bin/run.js: each fault seen from the binary is kept
// fixed here (TLS flood bound, TLS settings refused, socket path, pidfile, roots, reload of a
// FIFO or /dev/zero, huge shutdown-timeout, shutdown with idle connections, duplicate Host,
// SIGUSR1 reports, root's plugin directories).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {connect, type Socket} from 'node:net'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'

import {
  NOT_BUILT,
  type Daemon,
  type Temp,
  api,
  baseArgs,
  daemonBuilt,
  freePort,
  makeCerts,
  rawExchange,
  runToExit,
  shortTemp,
  sleep,
  spawnTracked,
  startDaemon,
  waitForPing,
  which,
} from '../helpers/daemon.js'
import {BIN, isolatedEnv} from '../helpers/run.js'

const skip = daemonBuilt ? false : NOT_BUILT
const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())))

describe('hardening (built bin/run.js)', {skip, timeout: 180_000}, () => {
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

  it('#1 a TLS listener flooded with connections that never handshake refuses past its bound; the unix socket still answers', {skip: which('openssl') ? false : 'no openssl'}, async () => {
    const certs = makeCerts(t.p(''))
    const port = await freePort()
    d = await startDaemon(
      [...baseArgs(t), '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey, '-H', `tcp://127.0.0.1:${port}`, '--max-connections-per-listener', '20'],
      {home: t.dir},
    )
    const flood: Socket[] = []
    try {
      for (let i = 0; i < 40; i++) {
        const s = connect(port, '127.0.0.1')
        s.on('error', () => {})
        flood.push(s)
      }

      await Promise.all(flood.slice(20).map(closed))
      assert.equal(flood.slice(0, 20).filter((s) => s.destroyed).length, 0, 'the first 20 stay until the handshake deadline')
      assert.equal((await api(t.p('docker.sock'), '/_ping')).status, 200)
      assert.match(d.stderr(), /level=warning msg="listener at its limit of 20 open connections \(max-connections-per-listener\): refusing new connections"/)
    } finally {
      for (const s of flood) s.destroy()
    }

    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
  })

  it('#1 max-connections-per-listener is an option of the table: negative refused, documented in --help', async () => {
    const r = await runToExit([...baseArgs(t), '--max-connections-per-listener', '-1', '--validate'], {home: t.dir})
    assert.equal(r.code, 1)
    assert.match(r.stderr, /invalid max-connections-per-listener: -1: must be 0 \(no limit\) or more/)
    const help = spawnSync(process.execPath, [BIN, '--help'], {encoding: 'utf8', env: isolatedEnv(t.dir), timeout: 30_000})
    assert.match(help.stdout.replaceAll(/\s+/g, ' '), /--max-connections-per-listener=int Maximum open connections per API listener \(0 for no limit\) \(default 4096\)/)
  })

  it('#3 --tlsverify --tlscacert "" refuses to start naming the flag, leaving nothing', {skip: which('openssl') ? false : 'no openssl'}, async () => {
    const certs = makeCerts(t.p(''))
    const r = await runToExit([...baseArgs(t), '--tlsverify', '--tlscacert', '', '--tlscert', certs.serverCert, '--tlskey', certs.serverKey, '-H', `tcp://127.0.0.1:${await freePort()}`], {home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /invalid TLS configuration: --tlscacert \(daemon\.json "tlscacert"\) is empty: --tlsverify needs the CA file that signs the client certificates/)
    for (const left of ['docker.sock', 'docker.pid', 'data', 'exec']) assert.ok(!existsSync(t.p(left)), `${left} left behind`)
  })

  it('#3 --tlsverify without certificate files names the settings and the default paths looked for', async () => {
    const r = await runToExit([...baseArgs(t), '--tlsverify', '-H', `tcp://127.0.0.1:${await freePort()}`], {env: {DOCKER_CERT_PATH: t.p('certs')}, home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    const cert = t.p('certs/cert.pem')
    const key = t.p('certs/key.pem')
    assert.match(r.stderr, new RegExp(`--tlscert \\(daemon\\.json "tlscert"\\) is not set and its default ${cert} does not exist; --tlskey \\(daemon\\.json "tlskey"\\) is not set and its default ${key} does not exist`))
    assert.doesNotMatch(r.stderr, /open : no such file/)
  })

  it('#5 a pidfile that is a symlink is refused, naming it; its target is untouched', async () => {
    writeFileSync(t.p('target'), 'precious', {mode: 0o600})
    symlinkSync(t.p('target'), t.p('docker.pid'))
    const r = await runToExit(baseArgs(t), {home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, new RegExp(`failed to start daemon: pid file ${t.p('docker.pid')} is a symbolic link: refusing to follow it`))
    assert.equal(readFileSync(t.p('target'), 'utf8'), 'precious')
    assert.equal(statSync(t.p('target')).mode & 0o777, 0o600)
    assert.ok(!existsSync(t.p('docker.sock')) && !existsSync(t.p('data')))
  })

  it('#14 two daemons started at the same instant with one pidfile: exactly one runs', async () => {
    for (let round = 0; round < 3; round++) {
      const sock = (n: number) => t.p(`d${round}-${n}.sock`)
      const args = (n: number) => ['--data-root', t.p(`data${n}`), '--exec-root', t.p(`exec${n}`), '--pidfile', t.p('shared.pid'), '--config-file', t.p('daemon.json'), '-H', `unix://${sock(n)}`]
      writeFileSync(t.p('daemon.json'), '{}')
      const env = isolatedEnv(t.dir)
      const a = spawnTracked(process.execPath, [BIN, ...args(1)], env)
      const b = spawnTracked(process.execPath, [BIN, ...args(2)], env)
      const outcome = async (x: Daemon, n: number) => {
        const r = await Promise.race([x.exited.then(() => 'exited' as const), waitForPing(sock(n), 20_000).then(() => 'running' as const)])
        return r
      }

      const [ra, rb] = await Promise.all([outcome(a, 1), outcome(b, 2)])
      assert.deepEqual([ra, rb].sort(), ['exited', 'running'], `round ${round}:\n${a.stderr()}\n---\n${b.stderr()}`)
      const loser = ra === 'exited' ? a : b
      const winner = ra === 'exited' ? b : a
      assert.match(loser.stderr(), /pid file found, ensure docker is not running or delete/)
      assert.equal(readFileSync(t.p('shared.pid'), 'utf8'), String(winner.pid))
      assert.equal(await winner.stop('SIGTERM', 20_000), 0)
      assert.ok(!existsSync(t.p('shared.pid')))
    }
  })

  it('#7 an existing data-root 0777 is tightened to 0710, exec-root to 0700', async () => {
    mkdirSync(t.p('data'))
    mkdirSync(t.p('exec'))
    chmodSync(t.p('data'), 0o777)
    chmodSync(t.p('exec'), 0o755)
    d = await startDaemon(baseArgs(t), {home: t.dir})
    assert.equal(statSync(t.p('data')).mode & 0o7777, 0o710)
    assert.equal(statSync(t.p('exec')).mode & 0o7777, 0o700)
    assert.equal(await d.stop('SIGTERM'), 0)
  })

  it('#8 a unix socket path over 107 bytes is refused before binding, naming it and the limit; nothing is left', async () => {
    const long = t.p(`${'s'.repeat(50)}/${'o'.repeat(50)}/docker.sock`)
    const r = await runToExit([...baseArgs(t, {socket: false}), '-H', `unix://${long}`], {home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, new RegExp(`failed to load listeners: can't create unix socket ${long}: path is ${Buffer.byteLength(long)} bytes long, over the limit of 107 bytes`))
    assert.deepEqual(t.list(), ['daemon.json'])
    // The next start with a good path works (no stray socket anywhere blocks it).
    d = await startDaemon(baseArgs(t), {home: t.dir})
    assert.equal(await d.stop('SIGTERM'), 0)
  })

  it('#9 reload of a FIFO or /dev/zero is refused at once; the daemon keeps serving and stops on SIGTERM', {skip: which('mkfifo') ? false : 'no mkfifo'}, async () => {
    d = await startDaemon(baseArgs(t), {home: t.dir})
    const cfg = t.p('daemon.json')
    renameSync(cfg, t.p('good.json'))
    spawnSync('mkfifo', [cfg])
    let mark = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(/level=error msg="Error reloading configuration".*not a regular file \(a named pipe\)/, 10_000, mark)
    assert.equal((await api(t.p('docker.sock'), '/_ping')).status, 200)
    spawnSync('rm', ['-f', cfg])
    symlinkSync('/dev/zero', cfg)
    mark = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(/level=error msg="Error reloading configuration".*not a regular file \(a character device\)/, 10_000, mark)
    assert.equal((await api(t.p('docker.sock'), '/_ping')).status, 200)
    assert.equal(await d.stop('SIGTERM', 20_000), 0)
  })

  it('#9 --config-file /dev/zero is refused at start', async () => {
    const r = await runToExit([...baseArgs(t), '--config-file', '/dev/zero'], {home: t.dir})
    assert.equal(r.code, 1)
    assert.match(r.stderr, /read \/dev\/zero: not a regular file \(a character device\)/)
  })

  it('#10 a start whose exec-root cannot be made removes the data-root it created', async () => {
    writeFileSync(t.p('file'), '')
    writeFileSync(t.p('daemon.json'), '{}')
    const r = await runToExit(['--data-root', t.p('new/data'), '--exec-root', t.p('file/exec'), '--pidfile', t.p('docker.pid'), '--config-file', t.p('daemon.json'), '-H', `unix://${t.p('docker.sock')}`], {home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /mkdir .*file\/exec: not a directory/)
    assert.ok(!existsSync(t.p('new')), 'data-root rolled back')
  })

  it('#11 #13 shutdown-timeout of 2,147,484 s: no TimeoutOverflowWarning; idle and half-sent connections do not hold SIGTERM', async () => {
    d = await startDaemon([...baseArgs(t), '--shutdown-timeout', '2147484'], {home: t.dir})
    const sock = t.p('docker.sock')
    const idle = connect(sock)
    const half = connect(sock, () => half.write('GET /_ping HTTP/1.1\r\nHo'))
    const kept = connect(sock, () => kept.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n'))
    for (const s of [idle, half, kept]) s.on('error', () => {})
    await new Promise((r) => kept.once('data', r))
    // Were the idle connections honoured, this stop would wait 24 days, far past the test's timeout.
    assert.equal(await d.stop('SIGTERM', 30_000), 0, d.stderr())
    assert.doesNotMatch(d.stderr(), /TimeoutOverflowWarning|does not fit into a 32-bit signed integer/)
    await Promise.all([closed(idle), closed(half), closed(kept)])
  })

  it('#15 daemon.json integers by Go rules: --validate refuses 1e19 with encoding/json\'s message', async () => {
    const r = await runToExit([...baseArgs(t, {config: '{"max-concurrent-downloads": 1e19}'}), '--validate'], {home: t.dir})
    assert.equal(r.code, 1)
    assert.match(r.stderr, /json: cannot unmarshal number 1e19 into Go struct field Config\.max-concurrent-downloads of type int/)
  })

  it('#15 deeply nested daemon.json: a clean error, never a JS stack overflow', async () => {
    const r = await runToExit(baseArgs(t, {config: `{"x": ${'['.repeat(50_000)}}`}), {home: t.dir})
    assert.equal(r.code, 1)
    assert.match(r.stderr, /invalid JSON: exceeded max depth/)
    assert.doesNotMatch(r.stderr, /Maximum call stack|RangeError|    at /)
    assert.deepEqual(t.list(), ['daemon.json'])
  })

  it('#16 duplicate Host → 400, Transfer-Encoding gzip → 501; two SIGUSR1 reports in one second are two files', async () => {
    d = await startDaemon(baseArgs(t), {home: t.dir})
    const sock = t.p('docker.sock')
    assert.match(await rawExchange(sock, 'GET /_ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request: too many Host headers\r\n[^]*too many Host headers$/)
    assert.match(await rawExchange(sock, 'POST /v1.45/containers/create HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n'), /^HTTP\/1\.1 501 Not Implemented\r\n[^]*Unsupported transfer encoding$/)
    // Signals of one kind coalesce while pending: send the second once the first was handled
    // (the same-second name collision itself is covered in test/unit/daemon/diagnostics.test.ts).
    const mark = d.mark()
    for (let n = 1; n <= 2; n++) {
      process.kill(d.pid, 'SIGUSR1')
      for (let i = 0; i < 200 && (d.stderr().slice(mark).match(/diagnostics report written/g) ?? []).length < n; i++) await sleep(25)
    }

    const reports = readdirSync(t.p('exec')).filter((n) => n.startsWith('dockerd-report-'))
    assert.equal(reports.length, 2, d.stderr().slice(mark))
    for (const r of reports) assert.ok(JSON.parse(readFileSync(join(t.p('exec'), r), 'utf8')).header)
    assert.equal(await d.stop('SIGTERM'), 0)
  })

  it('#6 running as root, a plugin linked from a world-writable directory is refused by name; the daemon runs without it', {skip: process.getuid?.() === 0 ? false : 'not root'}, async () => {
    const plug = t.p('plug')
    mkdirSync(plug)
    writeFileSync(join(plug, 'package.json'), JSON.stringify({name: 'dockerd-loose', oclif: {hooks: {'dockerd:plugin': './plugin.js'}}, type: 'module', version: '1.0.0'}))
    writeFileSync(join(plug, 'plugin.js'), "export default async () => ({name: 'dockerd-loose', info: () => ({Loose: true})})\n")
    chmodSync(plug, 0o777)
    const dataDir = t.p('oclif')
    mkdirSync(dataDir)
    writeFileSync(join(dataDir, 'package.json'), JSON.stringify({oclif: {plugins: [{name: 'dockerd-loose', root: plug, type: 'link'}], schema: 1}, private: true}))
    d = await startDaemon(baseArgs(t), {env: {DOCKERD_DATA_DIR: dataDir}, home: t.dir})
    assert.match(d.stderr(), new RegExp(`level=error msg="plugin dockerd-loose refused: the daemon runs as root and ${plug} is writable by its group \\(mode 0777\\)" plugin=dockerd-loose`))
    assert.equal(JSON.parse((await api(t.p('docker.sock'), '/info')).body).Loose, undefined)
    assert.equal(await d.stop('SIGTERM'), 0)
  })

  it('#6 plugins link runs npm without the package\'s install scripts unless npm_config_ignore_scripts=false', async () => {
    const plug = t.p('scripted')
    mkdirSync(plug)
    const pkg = {name: 'dockerd-scripted', oclif: {hooks: {'dockerd:plugin': './plugin.js'}}, scripts: {postinstall: "node -e \"require('fs').writeFileSync(process.env.MARK, 'ran')\""}, type: 'module', version: '1.0.0'}
    writeFileSync(join(plug, 'package.json'), JSON.stringify(pkg))
    // A lockfile makes `plugins link` run `npm install` in the plugin's directory.
    writeFileSync(join(plug, 'package-lock.json'), JSON.stringify({lockfileVersion: 3, name: pkg.name, packages: {'': {hasInstallScript: true, name: pkg.name, version: pkg.version}}, requires: true, version: pkg.version}))
    writeFileSync(join(plug, 'plugin.js'), "export default async () => ({name: 'dockerd-scripted'})\n")
    const link = (data: string, extra: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [BIN, 'plugins', 'link', plug], {encoding: 'utf8', env: isolatedEnv(t.dir, {DOCKERD_DATA_DIR: t.p(data), MARK: t.p(`${data}.mark`), ...extra}), timeout: 120_000})
    const quiet = link('d1', {})
    assert.equal(quiet.status, 0, quiet.stderr)
    assert.ok(!existsSync(t.p('d1.mark')), 'the postinstall script did not run')
    const allowed = link('d2', {npm_config_ignore_scripts: 'false'})
    assert.equal(allowed.status, 0, allowed.stderr)
    assert.equal(readFileSync(t.p('d2.mark'), 'utf8'), 'ran', 'allowed explicitly, it runs')
  })
})
