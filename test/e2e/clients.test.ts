// Real clients against the BUILT daemon: the docker CLI (28.x), dockerode, docker-py; the CLI
// over TLS with good and bad client certificates; systemd socket activation; and hostile or
// broken raw HTTP clients. One daemon per describe, all state in a short temp dir.
import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import {connect, type Socket} from 'node:net'
import {after, before, describe, it} from 'node:test'

import Docker from 'dockerode'

import {
  BIN,
  NOT_BUILT,
  type Certs,
  type Daemon,
  type Temp,
  api,
  apiJSON,
  baseArgs,
  daemonBuilt,
  dockerCliEnv,
  execTool,
  freePort,
  isolatedEnv,
  makeCerts,
  nextEvent,
  pythonHasDocker,
  rawExchange,
  shortTemp,
  sleep,
  startDaemon,
  which,
  withTimeout,
} from '../helpers/daemon.js'

const DOCKER = '/usr/local/bin/docker'
const PYTHON = '/usr/bin/python3'
const hasDocker = existsSync(DOCKER)
const hasDockerPy = pythonHasDocker(PYTHON)
const hasOpenssl = which('openssl') !== undefined
const SOCKET_ACTIVATE = which('systemd-socket-activate')
const skipUnlessBuilt = daemonBuilt ? false : NOT_BUILT
const noDocker = `${DOCKER} (docker CLI) is absent`

interface VersionJSON {
  ApiVersion: string
  MinAPIVersion: string
  Version: string
}

interface InfoJSON {
  ID: string
  Labels: string[]
}

/** dockerode has no bundled types; the few calls used here. */
interface DockerodeLike {
  ping(): Promise<unknown>
  version(): Promise<VersionJSON>
  info(): Promise<InfoJSON & {Debug: boolean}>
  getEvents(opts?: Record<string, unknown>): Promise<NodeJS.ReadableStream & {destroy(): void}>
}

const nowSec = (): number => Math.floor(Date.now() / 1000)

describe('real clients over the unix socket (built bin/run.js)', {skip: skipUnlessBuilt}, () => {
  let t: Temp
  let d: Daemon
  let sock: string
  let version: VersionJSON
  let info: InfoJSON
  let reloads = 0

  before(async () => {
    t = shortTemp()
    d = await startDaemon(baseArgs(t), {home: t.dir})
    sock = t.p('docker.sock')
    version = await apiJSON<VersionJSON>(sock, '/version')
    info = await apiJSON<InfoJSON>(sock, '/info')
  })
  after(async () => {
    try {
      if (d?.running()) assert.equal(await d.stop(), 0, d.stderr())
    } finally {
      t?.done()
    }
  })

  /**
   * SIGHUP with a new valid file; resolves once the `daemon reload` event is out. Not on the
   * "Reloaded configuration" line alone: the event is stamped after it (see nextEvent).
   */
  const reload = async (): Promise<string> => {
    const label = `reload=${++reloads}`
    writeFileSync(t.p('daemon.json'), JSON.stringify({labels: [label]}))
    const mark = d.mark()
    await nextEvent(sock, (e) => e.Type === 'daemon' && e.Action === 'reload', () => process.kill(d.pid, 'SIGHUP'))
    await d.waitFor(/msg="Reloaded configuration/, 10_000, mark)
    return label
  }

  const docker = (args: string[], ms = 20_000) => execTool(DOCKER, ['-H', `unix://${sock}`, ...args], {env: dockerCliEnv(t.dir), ms})

  it('docker version: exit 0, shows the server', {skip: hasDocker ? false : noDocker}, async () => {
    const r = await docker(['version'])
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.match(r.stdout, /^Server:/m)
    assert.match(r.stdout, /Engine:\s*\n\s+Version:\s+\S+/)
    assert.ok(r.stdout.includes(version.Version), r.stdout)
    // The build's stamp (lib/build-info.json), as the CLI shows it (Go's ANSIC layout).
    const engine = r.stdout.slice(r.stdout.indexOf('Engine:'))
    assert.match(engine, /^\s+Built:\s+\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/m, r.stdout)
  })

  it('docker info: exit 0', {skip: hasDocker ? false : noDocker}, async () => {
    const r = await docker(['info'])
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.match(r.stdout, /Server Version:/)
    assert.ok(r.stdout.includes(info.ID), 'shows the engine ID')
  })

  it("docker version --format '{{.Server.Version}}' equals /version", {skip: hasDocker ? false : noDocker}, async () => {
    const r = await docker(['version', '--format', '{{.Server.Version}}'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), version.Version)
  })

  it('docker system events --since/--until shows the daemon reload after SIGHUP', {skip: hasDocker ? false : noDocker}, async () => {
    const t0 = nowSec() - 1
    const label = await reload()
    const t1 = nowSec() + 1
    const r = await docker(['system', 'events', '--since', String(t0), '--until', String(t1)])
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.split('\n').filter((l) => / daemon reload /.test(l))
    assert.equal(lines.length, 1, r.stdout)
    assert.ok(lines[0]!.includes(` daemon reload ${info.ID} `), lines[0])
    assert.ok(lines[0]!.includes(`labels=["${label}"]`), lines[0])
  })

  it('dockerode: ping, version, info', async () => {
    const client = new Docker({socketPath: sock}) as unknown as DockerodeLike
    const ping = await withTimeout(client.ping(), 5000, 'ping')
    assert.equal(String(ping), 'OK')
    const v = await withTimeout(client.version(), 5000, 'version')
    assert.equal(v.Version, version.Version)
    assert.equal(v.ApiVersion, version.ApiVersion)
    const i = await withTimeout(client.info(), 5000, 'info')
    assert.equal(i.ID, info.ID)
  })

  it('dockerode: an events stream receives the reload event, then is destroyed', async () => {
    const client = new Docker({socketPath: sock}) as unknown as DockerodeLike
    const stream = await withTimeout(client.getEvents(), 5000, 'getEvents')
    try {
      let buf = ''
      const got = new Promise<Record<string, unknown>>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          buf += chunk.toString('utf8')
          for (const line of buf.split('\n')) {
            if (!line.trim()) continue
            try {
              const e = JSON.parse(line) as Record<string, unknown>
              if (e.Type === 'daemon' && e.Action === 'reload') resolve(e)
            } catch {
              // Incomplete line: wait for more.
            }
          }
        })
        stream.on('error', reject)
      })
      // Give the subscription a moment to be registered before the event is published.
      await sleep(100)
      const label = await reload()
      const event = await withTimeout(got, 10_000, 'no reload event on the dockerode stream')
      const actor = event.Actor as {ID: string; Attributes: Record<string, string>}
      assert.equal(actor.ID, info.ID)
      assert.equal(actor.Attributes.labels, JSON.stringify([label]))
    } finally {
      stream.destroy()
    }

    assert.equal((await api(sock, '/_ping')).status, 200)
  })

  it('docker-py: ping True, version, info', {skip: hasDockerPy ? false : `${PYTHON} with the docker module is absent`}, async () => {
    const code = `import docker; c=docker.DockerClient(base_url='unix://${sock}'); print(c.ping(), c.version()['ApiVersion'], c.info()['ID'])`
    const r = await execTool(PYTHON, ['-c', code], {env: {HOME: t.dir, PATH: process.env.PATH}, ms: 20_000})
    assert.equal(r.code, 0, r.stderr)
    const [ping, apiVersion, id] = r.stdout.trim().split(' ')
    assert.equal(ping, 'True')
    assert.match(apiVersion!, /^1\.\d+$/)
    assert.equal(id, info.ID)
  })
})

describe('TLS with client verification (built bin/run.js)', {skip: skipUnlessBuilt || (hasOpenssl ? false : 'openssl is absent')}, () => {
  let t: Temp
  let d: Daemon
  let certs: Certs
  let port: number

  before(async () => {
    t = shortTemp()
    certs = makeCerts(t.dir)
    port = await freePort()
    const args = baseArgs(t, {socket: false})
    args.push('--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey, '-H', `tcp://127.0.0.1:${port}`)
    d = await startDaemon(args, {home: t.dir})
  })
  after(async () => {
    try {
      if (d?.running()) assert.equal(await d.stop(), 0, d.stderr())
    } finally {
      t?.done()
    }
  })

  const docker = (tlsArgs: string[]) =>
    execTool(DOCKER, ['--tlsverify', '--tlscacert', certs.ca, ...tlsArgs, '-H', `tcp://127.0.0.1:${port}`, 'version'], {env: dockerCliEnv(t.dir), ms: 20_000})

  it('listens on 127.0.0.1:<port>', () => {
    assert.match(d.stderr(), new RegExp(`API listen on 127\\.0\\.0\\.1:${port}\\b`))
  })

  it('docker with a client certificate from the CA: exit 0', {skip: hasDocker ? false : noDocker}, async () => {
    const r = await docker(['--tlscert', certs.clientCert, '--tlskey', certs.clientKey])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^Server:/m)
  })

  it('docker without a client certificate: refused', {skip: hasDocker ? false : noDocker}, async () => {
    const r = await docker([])
    assert.notEqual(r.code, 0, r.stdout)
    assert.match(r.stderr, /tls|certificate/i)
    assert.doesNotMatch(r.stdout, /^Server:/m)
  })

  it("docker with another CA's client certificate: refused", {skip: hasDocker ? false : noDocker}, async () => {
    const r = await docker(['--tlscert', certs.rogueCert, '--tlskey', certs.rogueKey])
    assert.notEqual(r.code, 0, r.stdout)
    assert.match(r.stderr, /tls|certificate/i)
    assert.doesNotMatch(r.stdout, /^Server:/m)
  })

  it("a client that does send another CA's certificate is refused at the handshake", async () => {
    // The docker CLI (Go) withholds a certificate the server's CA list does not accept, so the
    // case above is "no certificate" on the wire; OpenSSL clients send it anyway.
    const outcome = await new Promise<string>((resolve) => {
      const req = https.get(
        {agent: false, ca: readFileSync(certs.ca), cert: readFileSync(certs.rogueCert), host: '127.0.0.1', key: readFileSync(certs.rogueKey), path: '/_ping', port, timeout: 5000},
        (res) => {
          res.resume()
          resolve(`HTTP ${res.statusCode}`)
        },
      )
      req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`))
      req.on('timeout', () => req.destroy(new Error('timeout')))
    })
    assert.match(outcome, /^error /, outcome)
    assert.doesNotMatch(outcome, /timeout/)
  })

  it('dockerode over TLS with the client certificate: ping OK; the daemon keeps serving after refusals', async () => {
    const client = new Docker({
      ca: readFileSync(certs.ca),
      cert: readFileSync(certs.clientCert),
      host: '127.0.0.1',
      key: readFileSync(certs.clientKey),
      port,
      protocol: 'https',
    }) as unknown as DockerodeLike
    assert.equal(String(await withTimeout(client.ping(), 5000, 'ping over TLS')), 'OK')
    assert.ok(d.running())
  })
})

describe('systemd socket activation (-H fd://)', {skip: skipUnlessBuilt || (SOCKET_ACTIVATE ? (hasDocker ? false : noDocker) : 'systemd-socket-activate is absent')}, () => {
  let t: Temp
  let d: Daemon | undefined

  before(() => {
    t = shortTemp()
  })
  after(async () => {
    try {
      // Same pid before and after the exec: stop the activator (or the daemon it became) by pid.
      if (d?.running()) await d.stop('SIGTERM', 10_000).catch(async () => d?.stop('SIGKILL'))
    } finally {
      t.done()
    }
  })

  it('starts on the first connection and serves docker version on the activated socket', async () => {
    const act = t.p('act.sock')
    const env = isolatedEnv(t.dir)
    const setenv = Object.entries(env).flatMap(([k, v]) => ['-E', `${k}=${v}`])
    const daemonArgs = ['-H', 'fd://', ...baseArgs(t, {socket: false})]
    d = await startDaemon(daemonArgs, {
      command: {args: ['-l', act, ...setenv, process.execPath, BIN, ...daemonArgs], env, file: SOCKET_ACTIVATE!},
      home: t.dir,
      listens: 0,
    })
    await d.waitFor(/Listening on .*act\.sock/, 10_000)
    assert.ok(existsSync(act))
    assert.ok(!existsSync(t.p('docker.pid')), 'not started before the first connection')
    const r = await execTool(DOCKER, ['-H', `unix://${act}`, 'version'], {env: dockerCliEnv(t.dir), ms: 30_000})
    assert.equal(r.code, 0, `${r.stderr}\n--- daemon:\n${d.stderr()}`)
    assert.match(r.stdout, /^Server:/m)
    await d.waitFor(new RegExp(`API listen on ${act.replaceAll('.', '\\.')}`), 10_000)
    assert.equal(readFileSync(t.p('docker.pid'), 'utf8'), String(d.pid), 'the activator exec-ed the daemon (same pid)')
    assert.equal((await api(act, '/_ping')).status, 200)
    assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
    assert.ok(!existsSync(t.p('docker.pid')))
  })
})

describe('bad and hostile HTTP clients (built bin/run.js)', {skip: skipUnlessBuilt}, () => {
  let t: Temp
  let d: Daemon
  let sock: string

  before(async () => {
    t = shortTemp()
    d = await startDaemon(baseArgs(t), {home: t.dir})
    sock = t.p('docker.sock')
  })
  after(async () => {
    try {
      if (d?.running()) assert.equal(await d.stop(), 0, d.stderr())
    } finally {
      t?.done()
    }
  })

  const statusLine = (raw: string): string => raw.split('\r\n')[0] ?? ''

  it('a malformed request line gets 400', async () => {
    for (const bad of ['GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET /_ping HTTP/9.9.9\r\nHost: x\r\n\r\n', '\x00\x01\x02 binary\r\n\r\n']) {
      const raw = await rawExchange(sock, bad, 5000)
      assert.match(statusLine(raw), /^HTTP\/1\.[01] 400 /, `${JSON.stringify(bad)} → ${JSON.stringify(raw)}`)
    }

    assert.equal((await api(sock, '/_ping')).status, 200)
  })

  it('/v0.1/version: 400 too old; /v99.0/version: 400 too new', async () => {
    const old = await api(sock, '/v0.1/version')
    assert.equal(old.status, 400)
    assert.ok(old.body.includes('client version 0.1 is too old'), old.body)
    const young = await api(sock, '/v99.0/version')
    assert.equal(young.status, 400)
    assert.ok(young.body.includes('client version 99.0 is too new'), young.body)
  })

  it('a 2 MiB header gets 431 (or 400) and the daemon keeps serving', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(sock)
      let got = ''
      const timer = setTimeout(() => {
        s.destroy()
        resolve(got)
      }, 10_000)
      s.setEncoding('utf8')
      s.on('data', (c: string) => {
        got += c
      })
      s.on('close', () => {
        clearTimeout(timer)
        resolve(got)
      })
      s.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') {
          clearTimeout(timer)
          reject(error)
        }
      })
      s.on('connect', () => {
        s.write('GET /_ping HTTP/1.1\r\nHost: localhost\r\nX-Big: ')
        // Write in chunks and stop as soon as the server has answered, so its reply is read
        // rather than lost to a reset of a connection we kept writing to.
        const chunk = 'a'.repeat(64 << 10)
        let sent = 0
        const pump = (): void => {
          while (got === '' && !s.destroyed && sent < 2 << 20) {
            sent += chunk.length
            if (!s.write(chunk)) {
              s.once('drain', pump)
              return
            }
          }

          if (got === '' && !s.destroyed) s.write('\r\n\r\n')
        }

        pump()
      })
    })
    assert.match(statusLine(answer), /^HTTP\/1\.1 (431|400) /, JSON.stringify(answer.slice(0, 200)))
    assert.equal((await api(sock, '/_ping')).status, 200)
  })

  it('a client stalling in the middle of its request head does not block others', async () => {
    const slow: Socket = connect(sock)
    try {
      await withTimeout(new Promise<void>((resolve, reject) => {
        slow.once('connect', () => resolve())
        slow.once('error', reject)
      }), 5000, 'connect')
      slow.write('GET /_ping HTTP/1.1\r\nHost: localhost\r\nX-Half: ')
      await sleep(200)
      const started = Date.now()
      for (let i = 0; i < 5; i++) {
        const r = await api(sock, '/_ping', {ms: 3000})
        assert.equal(r.status, 200)
      }

      assert.ok(Date.now() - started < 3000, 'served promptly while the other client stalls')
      assert.ok(!slow.destroyed, 'the stalled client is still connected (cut later by the headers timeout)')
    } finally {
      slow.destroy()
    }
  })

  it('a client that drops an /events stream mid-way does not hurt the daemon', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get({agent: false, path: '/events', socketPath: sock, timeout: 5000}, (res) => {
        assert.equal(res.statusCode, 200)
        // Headers are flushed before any event; drop the connection now.
        req.destroy()
        resolve()
      })
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error)
      })
      req.on('timeout', () => req.destroy(new Error('/events headers timed out')))
    })
    // Publish an event to the (now dead) subscriber, then check the daemon still serves.
    writeFileSync(t.p('daemon.json'), '{"labels": ["after=drop"]}')
    const mark = d.mark()
    process.kill(d.pid, 'SIGHUP')
    await d.waitFor(/msg="Reloaded configuration/, 10_000, mark)
    for (let i = 0; i < 3; i++) assert.equal((await api(sock, '/_ping')).status, 200)
    assert.deepEqual((await apiJSON<InfoJSON>(sock, '/info')).Labels, ['after=drop'])
    assert.ok(d.running())
    assert.doesNotMatch(d.stderr().slice(mark), /level=(error|fatal)/)
  })
})
