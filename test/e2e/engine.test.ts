// The engine backend end to end: the BUILT daemon with --engine-host in front of the real dockerd
// (Debian's docker.io, private paths, test/helpers/engine.ts), driven through THIS daemon's socket
// by docker CLI 28, dockerode and docker-py. Then the faults: the upstream stopped with streams
// open, restarted, absent, and switched by a reload.
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import Docker from 'dockerode'

import {type Engine, IMAGE, dockerCli, engineSkipReason, startEngine} from '../helpers/engine.js'
import {NOT_BUILT, type Daemon, type Temp, api, baseArgs, daemonBuilt, freePort, makeCerts, nextEvent, pythonHasDocker, shortTemp, sleep, startDaemon, withTimeout} from '../helpers/daemon.js'

const skip = !daemonBuilt ? NOT_BUILT : (engineSkipReason() ?? false)
const NONE = ['--network', 'none']

/** Lines of a stream the docker CLI prints while it runs (logs -f, attach), bounded in time. */
function cliStream(host: string, args: string[]) {
  const config = `/tmp/dc-stream-${process.pid}-${Math.random().toString(36).slice(2)}`
  mkdirSync(config)
  const child = spawn('/usr/local/bin/docker', ['-H', host, ...args], {env: {DOCKER_CONFIG: config, HOME: config, PATH: '/usr/bin:/bin'}, stdio: ['pipe', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return {
    child,
    err: () => err,
    exited,
    out: () => out,
    async waitOut(re: RegExp, ms = 10_000) {
      const end = Date.now() + ms
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`no ${re} in docker ${args.join(' ')} output within ${ms} ms: ${JSON.stringify(out)} ${err}`)
        await sleep(25)
      }
    },
    kill: () => child.kill('SIGKILL'),
  }
}

describe('engine backend: docker CLI, dockerode and docker-py through this daemon', {skip}, () => {
  let engine: Engine
  let t: Temp
  let d: Daemon
  let host: string
  const docker = (args: string[], opts: {input?: string; ms?: number} = {}) => dockerCli(host, args, opts)

  before(async () => {
    engine = await startEngine()
    t = shortTemp()
    // A short shutdown-timeout: the last test's SIGTERM waits that long for a `logs -f` that never ends.
    d = await startDaemon([...baseArgs(t), '--engine-host', engine.host, '--shutdown-timeout', '3'], {home: t.dir})
    host = `unix://${t.p('docker.sock')}`
  })

  after(async () => {
    if (d?.running()) await d.stop('SIGTERM', 15_000)
    await engine?.close()
    t?.done()
  })

  it('logs that it forwards to the upstream and reaches it', async () => {
    await d.waitFor(/engine at unix:\/\/\S+ is reachable/)
    assert.match(d.stderr(), new RegExp(`forwarding engine requests to ${engine.host}`))
  })

  it('docker version and info show the upstream beside this daemon', async () => {
    const v = await docker(['version', '--format', '{{json .Server}}'])
    assert.equal(v.code, 0, v.stderr)
    const server = JSON.parse(v.stdout) as {ApiVersion: string; Components: Array<{Name: string}>}
    // The lower of ours (1.56) and the upstream's (1.41): the CLI negotiated it.
    assert.equal(server.ApiVersion, '1.41')
    assert.deepEqual(server.Components.map((c) => c.Name).slice(0, 3), ['Engine', 'Upstream Engine', 'containerd'])
    const info = await docker(['info', '--format', '{{.Images}} {{.Driver}} {{.ServerVersion}}'])
    assert.equal(info.code, 0, info.stderr)
    assert.match(info.stdout, /^[1-9]\d* vfs 0\.1\.0/)
  })

  it('docker run --rm mini echo', async () => {
    const r = await docker(['run', '--rm', ...NONE, IMAGE, 'echo', 'hello'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'hello\n')
  })

  it('echo data | docker run -i --rm mini cat: stdin, then half-close, all of the output', async () => {
    const input = Array.from({length: 2000}, (_, i) => `line ${i}`).join('\n') + '\n'
    const r = await docker(['run', '-i', '--rm', ...NONE, IMAGE, 'cat'], {input})
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, input)
  })

  it('docker run -d, docker logs -f, docker stop', async () => {
    const run = await docker(['run', '-d', '--name', 'ticker', ...NONE, IMAGE, 'sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'])
    assert.equal(run.code, 0, run.stderr)
    const logs = cliStream(host, ['logs', '-f', 'ticker'])
    await logs.waitOut(/tick 0\ntick 1\n/)
    const stop = await docker(['stop', '-t', '1', 'ticker'])
    assert.equal(stop.code, 0, stop.stderr)
    // The follow stream ends when the container stops.
    assert.equal(await withTimeout(logs.exited, 10_000, 'logs -f did not end after stop'), 0)
    assert.equal((await docker(['rm', 'ticker'])).code, 0)
  })

  it('docker exec, with and without -i', async () => {
    assert.equal((await docker(['run', '-d', '--name', 'execme', ...NONE, IMAGE, 'sleep', '60'])).code, 0)
    try {
      const plain = await docker(['exec', 'execme', 'echo', 'from exec'])
      assert.equal(plain.code, 0, plain.stderr)
      assert.equal(plain.stdout, 'from exec\n')
      const piped = await docker(['exec', '-i', 'execme', 'wc', '-c'], {input: 'x'.repeat(70_000)})
      assert.equal(piped.code, 0, piped.stderr)
      assert.equal(piped.stdout.trim(), '70000')
      const failing = await docker(['exec', 'execme', 'sh', '-c', 'exit 3'])
      assert.equal(failing.code, 3)
    } finally {
      await docker(['rm', '-f', 'execme'])
    }
  })

  it('docker ps, ps -a --filter, images', async () => {
    assert.equal((await docker(['create', '--name', 'listed', '--label', 'team=blue', ...NONE, IMAGE, 'true'])).code, 0)
    try {
      const ps = await docker(['ps', '--format', '{{.Names}}'])
      assert.equal(ps.code, 0, ps.stderr)
      assert.doesNotMatch(ps.stdout, /listed/)
      const all = await docker(['ps', '-a', '--filter', 'label=team=blue', '--format', '{{.Names}} {{.Status}}'])
      assert.equal(all.code, 0, all.stderr)
      assert.equal(all.stdout, 'listed Created\n')
      const images = await docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])
      assert.match(images.stdout, /mini:1/)
    } finally {
      await docker(['rm', 'listed'])
    }
  })

  it('docker build from a Dockerfile (the context uploaded chunked, progress streamed)', async () => {
    const ctx = t.p('build')
    mkdirSync(ctx)
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMAGE}\nCOPY hello.txt /hello.txt\nRUN echo built >> /hello.txt\n`)
    writeFileSync(join(ctx, 'hello.txt'), 'from the context\n')
    const b = await docker(['build', '-t', 'mini:built', ctx], {ms: 60_000})
    assert.equal(b.code, 0, b.stderr + b.stdout)
    assert.match(b.stdout + b.stderr, /Successfully tagged mini:built/)
    const r = await docker(['run', '--rm', ...NONE, 'mini:built', 'cat', '/hello.txt'])
    assert.equal(r.stdout, 'from the context\nbuilt\n')
  })

  it('docker cp into and out of a container', async () => {
    assert.equal((await docker(['create', '--name', 'cpbox', ...NONE, IMAGE, 'true'])).code, 0)
    try {
      const src = t.p('cp-in.txt')
      writeFileSync(src, 'copied in\n')
      const into = await docker(['cp', src, 'cpbox:/cp.txt'])
      assert.equal(into.code, 0, into.stderr)
      const back = t.p('cp-out.txt')
      const out = await docker(['cp', 'cpbox:/cp.txt', back])
      assert.equal(out.code, 0, out.stderr)
      assert.equal(readFileSync(back, 'utf8'), 'copied in\n')
      const missing = await docker(['cp', 'cpbox:/nope', t.p('nope')])
      assert.notEqual(missing.code, 0)
      assert.match(missing.stderr, /Could not find the file \/nope in container cpbox|No such container:path/)
    } finally {
      await docker(['rm', 'cpbox'])
    }
  })

  it('docker save | docker load of a 100 MiB image', async () => {
    const ctx = t.p('big')
    mkdirSync(ctx)
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMAGE}\nRUN head -c 104857600 /dev/urandom > /big\n`)
    const b = await docker(['build', '-t', 'mini:big', ctx], {ms: 120_000})
    assert.equal(b.code, 0, b.stderr + b.stdout)
    const config = t.p('cli-config')
    mkdirSync(config, {recursive: true})
    const env = {DOCKER_CONFIG: config, HOME: config, PATH: '/usr/bin:/bin'}
    // Through a shell pipe: 100 MiB out of this daemon and 100 MiB back in, nothing buffered here.
    const r = spawnSync('sh', ['-c', `docker -H ${host} save mini:big | tee ${t.p('big.tar')} | docker -H ${host} load`], {encoding: 'utf8', env, timeout: 120_000})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /Loaded image: mini:big/)
    const size = Number(spawnSync('stat', ['-c', '%s', t.p('big.tar')], {encoding: 'utf8'}).stdout)
    assert.ok(size > 100 * 1024 * 1024, `saved ${size} bytes`)
    await docker(['rmi', 'mini:big'])
  })

  it('docker system events sees a container start and a daemon reload', async () => {
    const since = Math.floor(Date.now() / 1000) - 1
    assert.equal((await docker(['run', '--rm', ...NONE, IMAGE, 'true'])).code, 0)
    // Not the "Reloaded configuration" line: the event is stamped after it (see nextEvent), and a
    // `--until` read off the clock when the line shows once fell a second before that stamp.
    await nextEvent(t.p('docker.sock'), (e) => e.Type === 'daemon' && e.Action === 'reload', () => process.kill(d.pid, 'SIGHUP'))
    const ev = await docker(['system', 'events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--format', '{{.Type}} {{.Action}}'])
    assert.equal(ev.code, 0, ev.stderr)
    const lines = ev.stdout.trim().split('\n')
    assert.ok(lines.includes('container start'), ev.stdout)
    assert.ok(lines.includes('daemon reload'), ev.stdout)
  })

  it('a WebSocket attach (/containers/ID/attach/ws) is upgraded through', async () => {
    const id = (await docker(['run', '-d', ...NONE, IMAGE, 'sleep', '30'])).stdout.trim()
    try {
      const head = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(t.p('docker.sock'))
        let got = ''
        sock.on('data', (c: Buffer) => {
          got += c.toString('latin1')
          if (got.includes('\r\n\r\n')) {
            sock.destroy()
            resolve(got)
          }
        })
        sock.on('error', reject)
        sock.write(`GET /v1.41/containers/${id}/attach/ws?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://localhost\r\n\r\n`)
        setTimeout(() => reject(new Error(`no answer head: ${JSON.stringify(got)}`)), 5_000).unref()
      })
      assert.match(head, /^HTTP\/1\.1 101 /)
      assert.match(head, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i)
    } finally {
      await docker(['rm', '-f', id])
    }
  })

  it('dockerode: create, start, wait, logs, remove', async () => {
    const client = new Docker({socketPath: t.p('docker.sock')})
    const c = await client.createContainer({Cmd: ['echo', 'from dockerode'], HostConfig: {NetworkMode: 'none'}, Image: IMAGE})
    await c.start()
    const waited = (await c.wait()) as {StatusCode: number}
    assert.equal(waited.StatusCode, 0)
    const logs = (await c.logs({stdout: true})) as unknown as Buffer
    // Multiplexed frames: an 8-byte header, then the payload.
    assert.equal(logs.subarray(8).toString(), 'from dockerode\n')
    await c.remove()
  })

  it('docker-py: create, start, wait, logs, remove', {skip: pythonHasDocker() ? false : 'python3 with the docker package (python3-docker) is not installed'}, () => {
    const script = [
      'import docker, sys',
      `client = docker.DockerClient(base_url="unix://${t.p('docker.sock')}", version="auto")`,
      `c = client.containers.create("${IMAGE}", ["echo", "from docker-py"], network_mode="none")`,
      'c.start()',
      'print(c.wait()["StatusCode"])',
      'sys.stdout.write(c.logs().decode())',
      'c.remove()',
    ].join('\n')
    const r = spawnSync('/usr/bin/python3', ['-c', script], {encoding: 'utf8', timeout: 60_000})
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, '0\nfrom docker-py\n')
  })

  it('faults: the upstream stops under a logs -f stream and an attach; errors name it; a restart resumes forwarding', async () => {
    assert.equal((await docker(['run', '-d', '--name', 'victim', '--stop-timeout', '1', ...NONE, IMAGE, 'sh', '-c', 'while true; do echo alive; sleep 0.2; done'])).code, 0)
    const logs = cliStream(host, ['logs', '-f', 'victim'])
    const attach = cliStream(host, ['attach', '--no-stdin', 'victim'])
    await logs.waitOut(/alive/)
    await attach.waitOut(/alive/)
    await engine.stop()
    // Both streams end; the daemon stays up.
    await withTimeout(logs.exited, 15_000, 'logs -f still running after the upstream stopped')
    await withTimeout(attach.exited, 15_000, 'attach still running after the upstream stopped')
    assert.ok(d.running())
    assert.equal((await api(t.p('docker.sock'), '/_ping')).status, 200)
    const ps = await docker(['ps'])
    assert.notEqual(ps.code, 0)
    assert.match(ps.stderr, new RegExp(`cannot reach the engine at ${engine.host}: dial unix ${engine.sock}: connect: (no such file or directory|connection refused)`))
    const info = await docker(['info', '--format', '{{json .Warnings}}'])
    assert.match(info.stdout, /is not reachable/)
    await engine.start()
    // Forwarding resumes on the next request, with no restart of this daemon.
    const again = await docker(['ps', '-a', '--format', '{{.Names}}'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /victim/)
    await docker(['rm', '-f', 'victim'])
  })

  it('SIGTERM: a forwarded stream gets shutdown-timeout, then is closed; exit 0', async () => {
    assert.equal((await docker(['run', '-d', '--name', 'longlog', ...NONE, IMAGE, 'sh', '-c', 'while true; do echo x; sleep 0.2; done'])).code, 0)
    const logs = cliStream(host, ['logs', '-f', 'longlog'])
    await logs.waitOut(/x\n/)
    const code = await d.stop('SIGTERM', 30_000)
    assert.equal(code, 0, d.stderr())
    await withTimeout(logs.exited, 5_000, 'logs -f still running after the daemon exited')
    assert.match(d.stderr(), /Daemon shutdown complete/)
    await dockerCli(engine.host, ['rm', '-f', 'longlog'])
  })
})

describe('engine backend: configuration and faults without a container', {skip}, () => {
  it('an upstream address pointing at nothing: the daemon starts, warns, answers 502 naming it', async () => {
    const t = shortTemp()
    try {
      const nothing = t.p('nothing.sock')
      const d = await startDaemon([...baseArgs(t), '--engine-host', `unix://${nothing}`], {home: t.dir})
      try {
        await d.waitFor(/level=warning msg="engine at unix:\/\/\S+ is not reachable: dial unix \S+: connect: no such file or directory; retrying"/)
        const r = await api(t.p('docker.sock'), '/v1.41/containers/json')
        assert.equal(r.status, 502)
        assert.equal(JSON.parse(r.body).message, `cannot reach the engine at unix://${nothing}: dial unix ${nothing}: connect: no such file or directory`)
        assert.equal((await api(t.p('docker.sock'), '/_ping')).status, 200)
      } finally {
        assert.equal(await d.stop('SIGTERM', 15_000), 0)
      }
    } finally {
      t.done()
    }
  })

  it('a TCP upstream with TLS both ways (--engine-tlsverify and a client certificate)', async () => {
    const t = shortTemp()
    const certs = makeCerts(t.dir)
    const port = await freePort()
    const engine = await startEngine({
      extraArgs: ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey],
      image: false,
    })
    try {
      const tls = ['--engine-tlsverify', '--engine-tlscacert', certs.ca, '--engine-tlscert', certs.clientCert, '--engine-tlskey', certs.clientKey]
      const d = await startDaemon([...baseArgs(t), '--engine-host', `tcp://127.0.0.1:${port}`, ...tls], {home: t.dir})
      try {
        await d.waitFor(/engine at tcp:\/\/127\.0\.0\.1:\d+ is reachable/)
        const r = await api(t.p('docker.sock'), '/v1.41/images/json')
        assert.equal(r.status, 200, r.body)
        assert.equal(r.body.trim(), '[]')
      } finally {
        assert.equal(await d.stop('SIGTERM', 15_000), 0)
      }

      // A CA that did not sign the engine's certificate: refused, named, the daemon stays up.
      const other = shortTemp()
      try {
        const rogue = makeCerts(other.dir)
        const d2 = await startDaemon([...baseArgs(other), '--engine-host', `tcp://127.0.0.1:${port}`, '--engine-tlsverify', '--engine-tlscacert', rogue.ca], {home: other.dir})
        try {
          const r = await api(other.p('docker.sock'), '/v1.41/images/json')
          assert.equal(r.status, 502)
          assert.match(JSON.parse(r.body).message, /cannot reach the engine at tcp:\/\/127\.0\.0\.1:\d+: tls: failed to verify the engine's certificate/)
        } finally {
          assert.equal(await d2.stop('SIGTERM', 15_000), 0)
        }
      } finally {
        other.done()
      }
    } finally {
      await engine.close()
      t.done()
    }
  })

  it('a reload switches the upstream; a bad value keeps the old one', async () => {
    const engine = await startEngine({image: false})
    const t = shortTemp()
    try {
      const nothing = t.p('nothing.sock')
      const d = await startDaemon(baseArgs(t, {config: JSON.stringify({'engine-host': `unix://${nothing}`})}), {home: t.dir})
      try {
        assert.equal((await api(t.p('docker.sock'), '/v1.41/images/json')).status, 502)
        writeFileSync(t.p('daemon.json'), JSON.stringify({'engine-host': engine.host}))
        let mark = d.mark()
        process.kill(d.pid, 'SIGHUP')
        await d.waitFor(/Reloaded options" options=engine-host/, 10_000, mark)
        const ok = await api(t.p('docker.sock'), '/v1.41/images/json')
        assert.equal(ok.status, 200, ok.body)
        assert.equal(ok.body.trim(), '[]')
        writeFileSync(t.p('daemon.json'), JSON.stringify({'engine-host': 'ssh://nowhere'}))
        mark = d.mark()
        process.kill(d.pid, 'SIGHUP')
        await d.waitFor(/Error reloading configuration/, 10_000, mark)
        assert.match(d.stderr().slice(mark), /invalid engine-host \\"ssh:\/\/nowhere\\"/)
        assert.equal((await api(t.p('docker.sock'), '/v1.41/images/json')).status, 200)
      } finally {
        assert.equal(await d.stop('SIGTERM', 15_000), 0)
      }
    } finally {
      t.done()
      await engine.close()
    }
  })
})

describe('engine backend: bad configuration is refused at start', {skip: daemonBuilt ? false : NOT_BUILT}, () => {
  const cases: Array<[string[], RegExp]> = [
    [['--engine-host', 'ssh://user@host'], /invalid engine-host "ssh:\/\/user@host": the address uses "ssh:\/\/", which is not supported/],
    [['--engine-host', 'unix:///x.sock', '--engine-tlsverify'], /--engine-tlsverify apply only to a tcp:\/\/ engine-host/],
    [['--engine-host', 'tcp://127.0.0.1:1', '--engine-tlsverify'], /--engine-tlsverify needs --engine-tlscacert/],
  ]
  for (const [flags, message] of cases) {
    it(flags.join(' '), async () => {
      const t = shortTemp()
      try {
        const {runToExit} = await import('../helpers/daemon.js')
        const r = await runToExit([...baseArgs(t), ...flags], {home: t.dir})
        assert.equal(r.code, 1)
        assert.match(r.stderr, message)
        assert.doesNotMatch(r.stderr, /at .*\.js:\d+/)
        // Nothing left behind: no socket, no pidfile.
        assert.deepEqual(t.list().filter((n) => n === 'docker.sock' || n === 'docker.pid'), [])
      } finally {
        t.done()
      }
    })
  }
})
