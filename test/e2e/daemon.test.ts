// The daemon's life as a process: start, files, signals, start-up refusals, logging, SIGUSR1,
// SIGHUP reload. Spawns the BUILT bin/run.js; every daemon lives in a short temp dir of its own.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, lstatSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {
  NOT_BUILT,
  type Certs,
  type Daemon,
  type Temp,
  api,
  apiJSON,
  baseArgs,
  daemonBuilt,
  freePort,
  logLines,
  makeCerts,
  runToExit,
  shortTemp,
  sleep,
  startDaemon,
  tcpAccepts,
  waitForPing,
  which,
  withTimeout,
} from '../helpers/daemon.js'

const skipUnlessBuilt = daemonBuilt ? false : NOT_BUILT
const PYTHON = '/usr/bin/python3'
const hasPython = existsSync(PYTHON)
const hasOpenssl = which('openssl') !== undefined

/** The parts of /info a reload may change. */
interface Info {
  Debug: boolean
  ID: string
  Labels: string[]
}

const escape = (s: string): string => s.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('daemon lifecycle (built bin/run.js)', {skip: skipUnlessBuilt}, () => {
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

  it('serves on a 0660 unix socket, writes its pid without newline, and SIGTERM removes both (exit 0)', async () => {
    d = await startDaemon(baseArgs(t), {home: t.dir})
    const sock = lstatSync(t.p('docker.sock'))
    assert.ok(sock.isSocket(), 'docker.sock is a socket')
    assert.equal((sock.mode & 0o777).toString(8), '660')
    assert.equal(readFileSync(t.p('docker.pid'), 'utf8'), String(d.pid))
    const ping = await api(t.p('docker.sock'), '/_ping')
    assert.equal(ping.status, 200)
    assert.equal(ping.body, 'OK')
    assert.match(d.stderr(), new RegExp(`level=info msg="API listen on ${escape(t.p('docker.sock'))}"`))
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
    assert.ok(!existsSync(t.p('docker.sock')), 'socket removed')
    assert.ok(!existsSync(t.p('docker.pid')), 'pidfile removed')
    assert.match(d.stderr(), /level=info msg="Processing signal 'terminated'"/)
    assert.match(d.stderr(), /msg="Daemon shutdown complete"/)
    assert.equal(d.stdout(), '', 'nothing on stdout')
  })

  it('starts the same through oclif (DOCKERD_OCLIF=1) as through the fast start path', async () => {
    d = await startDaemon(baseArgs(t), {env: {DOCKERD_OCLIF: '1'}, home: t.dir})
    const ping = await api(t.p('docker.sock'), '/_ping')
    assert.equal(ping.status, 200)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
    assert.ok(!existsSync(t.p('docker.sock')), 'socket removed')
    assert.ok(!existsSync(t.p('docker.pid')), 'pidfile removed')
  })

  it('DEBUG=dockerd:* traces start-up steps in logrus format; without DEBUG nothing is traced', async () => {
    d = await startDaemon(baseArgs(t), {env: {DEBUG: 'dockerd:*'}, home: t.dir})
    assert.match(d.stderr(), /level=debug msg="pidfile [^"]+ holds \d+" module="dockerd:daemon"/)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
    d = await startDaemon(baseArgs(t), {home: t.dir})
    assert.doesNotMatch(d.stderr(), /module="dockerd:/)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
  })

  it('SIGINT shuts down the same way (exit 0, socket and pidfile gone)', async () => {
    d = await startDaemon(baseArgs(t), {home: t.dir})
    assert.equal(await d.stop('SIGINT'), 0, d.stderr())
    assert.ok(!existsSync(t.p('docker.sock')))
    assert.ok(!existsSync(t.p('docker.pid')))
    assert.match(d.stderr(), /Processing signal 'interrupt'/)
  })

  it('refuses a pidfile that holds a live pid: exit 1, file untouched, nothing created', async () => {
    for (const content of [String(process.pid), `${process.pid}\n`]) {
      writeFileSync(t.p('docker.pid'), content)
      const args = baseArgs(t)
      const before = t.list()
      const r = await runToExit(args, {home: t.dir})
      assert.equal(r.code, 1, r.stderr)
      assert.ok(r.stderr.includes(t.p('docker.pid')), `stderr names the pidfile:\n${r.stderr}`)
      assert.match(r.stderr, /pid file found|is still running/)
      assert.equal(readFileSync(t.p('docker.pid'), 'utf8'), content, 'pidfile untouched')
      assert.deepEqual(t.list(), before, 'no socket, data-root or exec-root left behind')
      assert.equal(r.stdout, '')
    }
  })

  it('a second daemon on a running daemon\'s pidfile is refused and the first keeps serving', async () => {
    d = await startDaemon(baseArgs(t), {home: t.dir})
    const r = await runToExit(['--data-root', t.p('data2'), '--exec-root', t.p('exec2'), '--pidfile', t.p('docker.pid'), '-H', `unix://${t.p('other.sock')}`, '--config-file', t.p('daemon.json')], {home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    assert.ok(r.stderr.includes(t.p('docker.pid')), r.stderr)
    assert.ok(!existsSync(t.p('other.sock')) && !existsSync(t.p('data2')) && !existsSync(t.p('exec2')), 'nothing of the second left')
    assert.equal(readFileSync(t.p('docker.pid'), 'utf8'), String(d.pid))
    assert.equal((await api(t.p('docker.sock'), '/_ping')).status, 200)
    assert.equal(await d.stop(), 0, d.stderr())
  })

  it('takes over a stale pidfile (dead pid, garbage)', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    for (const content of [String(dead), 'notanumber\n', '']) {
      writeFileSync(t.p('docker.pid'), content)
      d = await startDaemon(baseArgs(t), {home: t.dir})
      assert.equal(readFileSync(t.p('docker.pid'), 'utf8'), String(d.pid), `over ${JSON.stringify(content)}`)
      assert.equal(await d.stop(), 0, d.stderr())
      assert.ok(!existsSync(t.p('docker.pid')))
    }
  })

  const refuses = async (extra: string[], message: RegExp | string, opts: {socket?: boolean; env?: NodeJS.ProcessEnv} = {}): Promise<string> => {
    const args = [...baseArgs(t, {socket: opts.socket}), ...extra]
    const before = t.list()
    const r = await runToExit(args, {env: opts.env, home: t.dir})
    assert.equal(r.code, 1, r.stderr)
    if (typeof message === 'string') assert.ok(r.stderr.includes(message), `stderr lacks ${JSON.stringify(message)}:\n${r.stderr}`)
    else assert.match(r.stderr, message)
    assert.deepEqual(t.list(), before, `nothing left behind:\n${r.stderr}`)
    assert.equal(r.stdout, '')
    return r.stderr
  }

  it('--group with an unknown group: exit 1, nothing left', async () => {
    await refuses(['--group', 'nosuchgroup_xyz'], 'failed to load listeners: group nosuchgroup_xyz not found')
  })

  it('-H fd:// without socket activation: exit 1, nothing left', async () => {
    const msg = 'failed to load listeners: no sockets found via socket activation: make sure the service was started by systemd'
    await refuses(['-H', 'fd://'], msg, {socket: false})
    // LISTEN_FDS meant for another process (LISTEN_PID not ours) counts as none.
    await refuses(['-H', 'fd://'], msg, {env: {LISTEN_FDS: '1', LISTEN_PID: '1'}, socket: false})
  })

  it('-H npipe:// on Linux: invalid protocol format', async () => {
    await refuses(['-H', 'npipe:////./pipe/x'], 'failed to load listeners: invalid protocol format: "npipe"', {socket: false})
  })

  it('replaces a stale socket file left by a dead process', {skip: hasPython ? false : `${PYTHON} is absent`}, async () => {
    const path = t.p('docker.sock')
    const r = spawnSync(PYTHON, ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)', path], {timeout: 10_000})
    assert.equal(r.status, 0, String(r.stderr))
    assert.ok(lstatSync(path).isSocket(), 'stale socket file exists')
    d = await startDaemon(baseArgs(t), {home: t.dir})
    assert.equal((await api(path, '/_ping')).status, 200)
    assert.equal(await d.stop(), 0, d.stderr())
    assert.ok(!existsSync(path))
  })

  it('logs logrus text lines on stderr by default, JSON lines with --log-format json', async () => {
    d = await startDaemon(baseArgs(t), {home: t.dir})
    await api(t.p('docker.sock'), '/_ping')
    assert.equal(await d.stop(), 0)
    const lines = d.stderr().split('\n').filter(Boolean)
    assert.ok(lines.length >= 3, d.stderr())
    for (const line of lines) assert.match(line, /^time="\d{4}-\d\d-\d\dT[^"]+" level=(debug|info|warning|error) msg="/, line)
    const msgs = logLines(d.stderr()).map((l) => l.msg)
    assert.ok(msgs.includes('Starting up'), msgs.join('\n'))
    assert.ok(msgs.includes('Daemon has completed initialization'))

    d = await startDaemon([...baseArgs(t), '--log-format', 'json'], {home: t.dir, listens: 0})
    await d.waitFor(/"msg":"API listen on [^"]+"/)
    assert.equal(await d.stop(), 0)
    const json = d.stderr().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>)
    assert.ok(json.length >= 3)
    for (const entry of json) {
      assert.equal(typeof entry.msg, 'string')
      assert.match(entry.level, /^(debug|info|warning|error)$/)
      assert.ok(!Number.isNaN(Date.parse(entry.time)), entry.time)
    }

    assert.ok(json.some((e) => e.msg === `API listen on ${t.p('docker.sock')}` && e.level === 'info'))
  })

  it('FORCE_COLOR: every line in logrus\'s colour layout from the first, through both start paths; NO_COLOR: plain', async () => {
    for (const env of [{FORCE_COLOR: '1'}, {DOCKERD_OCLIF: '1', FORCE_COLOR: '1'}]) {
      d = await startDaemon(baseArgs(t), {env, home: t.dir})
      assert.equal(await d.stop(), 0)
      const lines = d.stderr().split('\n').filter(Boolean)
      assert.ok(lines.length >= 3, d.stderr())
      assert.match(lines[0], /^\u001B\[36mINFO\u001B\[0m\[\d{4}-[^\]]+\] Starting up {2,}/, JSON.stringify(env))
      for (const line of lines) assert.match(line, /^\u001B\[3[1367]m(INFO|WARN|ERRO|DEBU)\u001B\[0m\[/, line)
    }

    d = await startDaemon(baseArgs(t), {env: {FORCE_COLOR: '1', NO_COLOR: '1'}, home: t.dir})
    assert.equal(await d.stop(), 0)
    for (const line of d.stderr().split('\n').filter(Boolean)) assert.match(line, /^time="/, line)
  })

  it('--log-level=warn hides info lines; -D shows debug lines', async () => {
    d = await startDaemon([...baseArgs(t), '--log-level=warn'], {home: t.dir, listens: 0})
    await waitForPing(t.p('docker.sock'), 15_000, d)
    assert.equal(await d.stop(), 0)
    assert.doesNotMatch(d.stderr(), /level=(info|debug)/, d.stderr())

    d = await startDaemon([...baseArgs(t), '-D'], {home: t.dir})
    await api(t.p('docker.sock'), '/_ping')
    assert.equal(await d.stop(), 0)
    assert.match(d.stderr(), /level=debug msg=/)
  })

  it('SIGUSR1 writes a diagnostics file into exec-root, logs its path, and opens no inspector', async () => {
    const inspectorBefore = await tcpAccepts(9229)
    d = await startDaemon(baseArgs(t), {home: t.dir})
    const mark = d.mark()
    process.kill(d.pid, 'SIGUSR1')
    const m = await d.waitFor(new RegExp(`(${escape(t.p('exec'))}/[^"\\s]+)`), 10_000, mark)
    const file = m[1]!
    assert.ok(existsSync(file), `${file} exists`)
    assert.ok(statSync(file).size > 0, 'not empty')
    assert.doesNotMatch(readFileSync(file, 'utf8'), /environmentVariables/, 'no environment in the dump')
    assert.ok(readdirSync(t.p('exec')).some((n) => file.endsWith(n)))
    assert.ok(d.running(), 'still running')
    assert.equal((await api(t.p('docker.sock'), '/_ping')).status, 200)
    if (!inspectorBefore) assert.equal(await tcpAccepts(9229), false, 'nothing listens on 9229')
    assert.doesNotMatch(d.stderr(), /Debugger listening/)
    assert.equal(await d.stop(), 0)
  })

  it('signals sent the moment `API listen on` appears are handled (SIGTERM: clean exit 0; SIGUSR1: a dump)', async () => {
    // A supervisor may act on the ready line at once; dockerd installs its traps before it serves.
    for (let i = 0; i < 5; i++) {
      d = await startDaemon(baseArgs(t), {home: t.dir, settle: false})
      const code = await d.stop('SIGTERM')
      assert.equal(code, 0, `run ${i}: SIGTERM right after the ready line: status ${code} (null = killed by the default action)\n${d.stderr()}`)
      assert.ok(!existsSync(t.p('docker.pid')) && !existsSync(t.p('docker.sock')), `run ${i}: pidfile and socket removed`)
    }

    for (let i = 0; i < 5; i++) {
      d = await startDaemon(baseArgs(t), {home: t.dir, settle: false})
      const mark = d.mark()
      process.kill(d.pid, 'SIGUSR1')
      await d.waitFor(new RegExp(escape(t.p('exec'))), 3000, mark).catch((error: Error) => {
        throw new Error(`run ${i}: SIGUSR1 right after the ready line was lost: ${error.message}`)
      })
      assert.equal(await d.stop(), 0)
    }
  })

  it('the 4th SIGTERM forces exit (or shutdown finished first): status 0 or 143', async () => {
    d = await startDaemon(baseArgs(t), {home: t.dir})
    for (let i = 0; i < 4; i++) {
      try {
        process.kill(d.pid, 'SIGTERM')
      } catch {
        // Already gone.
      }
    }

    // No further signal: once shutdown is complete a fifth one could only blur the outcome.
    const {code, signal} = await withTimeout(d.exited, 10_000, `still running after 4 SIGTERMs:\n${d.stderr()}`)
    assert.ok(code === 0 || code === 143, `status ${code} signal ${signal}\n${d.stderr()}`)
  })
})

describe('TLS files are checked at start (built bin/run.js)', {skip: skipUnlessBuilt || (hasOpenssl ? false : 'openssl is absent')}, () => {
  let t: Temp
  let certs: Certs
  before(() => {
    t = shortTemp()
    certs = makeCerts(t.dir)
  })
  after(() => t.done())

  const tryStart = async (files: {ca?: string; cert?: string; key?: string}, names: string): Promise<void> => {
    const run = shortTemp()
    try {
      writeFileSync(run.p('daemon.json'), '{}')
      const args = ['--data-root', run.p('data'), '--exec-root', run.p('exec'), '--pidfile', run.p('docker.pid'), '--config-file', run.p('daemon.json')]
      args.push('--tlsverify', '--tlscacert', files.ca ?? certs.ca, '--tlscert', files.cert ?? certs.serverCert, '--tlskey', files.key ?? certs.serverKey, '-H', `tcp://127.0.0.1:${await freePort()}`)
      const before = run.list()
      const r = await runToExit(args, {home: run.dir})
      assert.equal(r.code, 1, `${names}: ${r.stderr}`)
      const bad = files.ca ?? files.cert ?? files.key!
      assert.ok(r.stderr.includes(bad), `${names}: stderr names ${bad}:\n${r.stderr}`)
      assert.match(r.stderr, /invalid TLS configuration|X509|certificate/i)
      assert.deepEqual(run.list(), before, `${names}: nothing left behind`)
    } finally {
      run.done()
    }
  }

  it('garbage, empty or missing PEM files: exit 1 naming the file', async () => {
    writeFileSync(t.p('garbage.pem'), 'this is not PEM\n')
    writeFileSync(t.p('empty.pem'), '')
    const missing = t.p('missing.pem')
    for (const [role, file] of [['ca', 'garbage.pem'], ['ca', 'empty.pem'], ['cert', 'garbage.pem'], ['cert', 'empty.pem'], ['key', 'garbage.pem'], ['key', 'empty.pem']] as const) {
      await tryStart({[role]: t.p(file)}, `${role}=${file}`)
    }

    for (const role of ['ca', 'cert', 'key'] as const) await tryStart({[role]: missing}, `${role} missing`)
    // Key of another certificate.
    await tryStart({key: certs.clientKey}, 'mismatched key')
  })

  it('good files start a TLS listener on 127.0.0.1', async () => {
    const run = shortTemp()
    let dd: Daemon | undefined
    try {
      writeFileSync(run.p('daemon.json'), '{}')
      dd = await startDaemon(['--data-root', run.p('data'), '--exec-root', run.p('exec'), '--pidfile', run.p('docker.pid'), '--config-file', run.p('daemon.json'), '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey, '-H', `tcp://127.0.0.1:${await freePort()}`], {home: run.dir})
      assert.match(dd.stderr(), /API listen on 127\.0\.0\.1:\d+/)
      assert.doesNotMatch(dd.stderr(), /without --tlsverify is insecure/, 'no insecure warnings with --tlsverify')
      assert.equal(await dd.stop(), 0, dd.stderr())
    } finally {
      if (dd?.running()) await dd.stop('SIGKILL').catch(() => null)
      run.done()
    }
  })
})

describe('SIGHUP reload (built bin/run.js)', {skip: skipUnlessBuilt}, () => {
  let t: Temp
  let d: Daemon
  let sock: string
  let t0: number
  before(async () => {
    t = shortTemp()
    t0 = Math.floor(Date.now() / 1000) - 1
    d = await startDaemon(baseArgs(t, {config: '{}'}), {home: t.dir})
    sock = t.p('docker.sock')
  })
  after(async () => {
    try {
      if (d?.running()) assert.equal(await d.stop(), 0, d.stderr())
    } finally {
      t.done()
    }
  })

  const info = async (): Promise<Info> => {
    const i = await apiJSON<Info>(sock, '/info')
    return {Debug: i.Debug, ID: i.ID, Labels: i.Labels}
  }

  const reloadEvents = async (): Promise<number> => {
    // `until` in the past (to the millisecond): the replay only, no waiting for live events.
    const r = await api(sock, `/events?since=${t0}&until=${(Date.now() / 1000).toFixed(3)}`, {ms: 5000})
    assert.equal(r.status, 200, r.body)
    return r.body.split('\n').filter((l) => l.includes('"Action":"reload"')).length
  }

  const hup = async (content: string, expect: RegExp): Promise<number> => {
    writeFileSync(t.p('daemon.json'), content)
    const mark = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(/Got signal to reload configuration/, 10_000, mark)
    await d.waitFor(expect, 10_000, mark)
    return mark
  }

  it('a valid file is applied: Reloaded configuration, /info shows Debug and labels, one reload event', async () => {
    const before = await info()
    assert.equal(before.Debug, false)
    assert.deepEqual(before.Labels, [])
    assert.equal(await reloadEvents(), 0)
    await hup('{"debug": true, "labels": ["foo=bar"]}', /msg="Reloaded configuration/)
    const now = await info()
    assert.equal(now.Debug, true)
    assert.deepEqual(now.Labels, ['foo=bar'])
    assert.equal(now.ID, before.ID, 'same engine ID')
    assert.equal(await reloadEvents(), 1)
    // Debug is on now: API calls are logged at debug level.
    const mark = d.mark()
    await api(sock, '/_ping')
    await d.waitFor(/level=debug/, 5000, mark)
  })

  for (const [name, content] of [
    ['a bad label', '{"labels": ["novalue"]}'],
    ['truncated JSON', '{"debug": true,'],
    ['a hosts conflict with -H', '{"hosts": ["unix:///tmp/dd-other.sock"]}'],
    ['an unknown key', '{"bogus-key": 1}'],
  ]) {
    it(`an invalid file (${name}) is refused: error logged, old config kept, still serving`, async () => {
      const before = await info()
      const events = await reloadEvents()
      const mark = await hup(content, /level=error msg="Error reloading configuration/)
      assert.doesNotMatch(d.stderr().slice(mark), /Reloaded configuration/)
      assert.deepEqual(await info(), before)
      assert.equal((await api(sock, '/_ping')).status, 200)
      assert.equal(await reloadEvents(), events, 'no reload event')
      assert.ok(d.running())
      assert.ok(!existsSync('/tmp/dd-other.sock'))
    })
  }

  it('a deleted config file is refused too, then a good one applies again', async () => {
    const before = await info()
    rmSync(t.p('daemon.json'))
    const mark = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(/level=error msg="Error reloading configuration/, 10_000, mark)
    assert.deepEqual(await info(), before)
    await hup('{"debug": true, "labels": ["a=b"]}', /msg="Reloaded configuration/)
    assert.deepEqual((await info()).Labels, ['a=b'])
  })

  it('a reload changes only what the new file says: debug set by an earlier reload is kept', async () => {
    assert.equal((await info()).Debug, true, 'debug on from the earlier reload')
    await hup('{"labels": ["c=d"]}', /msg="Reloaded configuration/)
    const now = await info()
    assert.deepEqual(now.Labels, ['c=d'])
    assert.equal(now.Debug, true, 'the file does not mention debug, so it stays on (moby: "replaced if key present")')
  })

  it('log-level is reloaded: warn hides the info lines of the next reload', async () => {
    await hup('{"debug": false, "log-level": "warn", "labels": ["lvl=1"]}', /Got signal/)
    // The Reloaded line itself may or may not show (logged after the level changed): poll /info.
    for (let i = 0; i < 100 && !(await info()).Labels.includes('lvl=1'); i++) await sleep(50)
    assert.deepEqual((await info()).Labels, ['lvl=1'])
    assert.equal((await info()).Debug, false)
    const mark = d.mark()
    writeFileSync(t.p('daemon.json'), '{"log-level": "warn", "labels": ["lvl=2"]}')
    process.kill(d.pid, 'SIGHUP')
    for (let i = 0; i < 100 && !(await info()).Labels.includes('lvl=2'); i++) await sleep(50)
    assert.deepEqual((await info()).Labels, ['lvl=2'])
    await api(sock, '/_ping')
    await sleep(100)
    assert.doesNotMatch(d.stderr().slice(mark), /level=(info|debug)/, d.stderr().slice(mark))
    // And back to info (this reload's "Got signal" line is still hidden): its own lines show again.
    writeFileSync(t.p('daemon.json'), '{"log-level": "info", "labels": ["lvl=3"]}')
    process.kill(d.pid, 'SIGHUP')
    for (let i = 0; i < 100 && !(await info()).Labels.includes('lvl=3'); i++) await sleep(50)
    assert.deepEqual((await info()).Labels, ['lvl=3'])
    writeFileSync(t.p('daemon.json'), '{"log-level": "info", "labels": ["lvl=4"]}')
    const mark2 = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(/level=info msg="Got signal to reload configuration/, 10_000, mark2)
    await d.waitFor(/level=info msg="Reloaded configuration/, 10_000, mark2)
  })
})

describe('secrets in log lines', {skip: daemonBuilt ? false : NOT_BUILT}, () => {
  it('the reload line masks proxy credentials (as /info does)', async () => {
    const t = shortTemp()
    try {
      const d = await startDaemon([...baseArgs(t), '--http-proxy', 'http://alice:s3cret@proxy.example:3128', '--https-proxy', 'https://bob:hunter2@proxy.example'], {home: t.dir})
      try {
        const mark = d.mark()
        process.kill(d.pid, 'SIGHUP')
        await d.waitFor(/msg="Reloaded configuration/, 10_000, mark)
        const logged = d.stderr()
        assert.doesNotMatch(logged, /s3cret|hunter2/)
        assert.match(logged.slice(mark), /http:\/\/xxxxx:xxxxx@proxy\.example:3128/)
      } finally {
        assert.equal(await d.stop('SIGTERM', 15_000), 0)
      }
    } finally {
      t.done()
    }
  })
})
