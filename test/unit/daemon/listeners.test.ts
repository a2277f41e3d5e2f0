import assert from 'node:assert/strict'
import {existsSync, lstatSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {type AddressInfo, Server as NetServer, connect, createServer} from 'node:net'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {Server as TLSServer, connect as tlsConnect} from 'node:tls'

import {
  NO_ACTIVATED_SOCKETS,
  isLoopbackIP,
  lookupGroupId,
  openListeners,
  parseGroupFile,
  parseListenFds,
  selectActivatedFds,
  splitHostPort,
  type ListenerOptions,
} from '../../../src/daemon/listeners/index.js'
import {loadTLSOptions} from '../../../src/daemon/tls.js'
import {type CA, captureLog, hasCommand, makeCA, makeLeaf, tempDir} from './helpers.js'

const INSECURE_1 =
  'Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.'
const INSECURE_SLOW = 'Binding to an IP address without --tlsverify is deprecated. Startup is intentionally being slowed down to show this message'

function options(over: Partial<ListenerOptions> = {}): ListenerOptions & {log: ReturnType<typeof captureLog>} {
  return {
    socketGroup: '',
    socketGroupExplicit: false,
    insecureDelayMs: () => 0,
    useGetent: false,
    listenFdsEnv: {},
    ...over,
    log: captureLog(),
  }
}

/** Resolves true when something accepts a connection at the path or port. */
function answers(target: string | number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = typeof target === 'number' ? connect(target, '127.0.0.1') : connect(target)
    const timer = setTimeout(() => done(false), 2000)
    function done(v: boolean): void {
      clearTimeout(timer)
      s.destroy()
      resolve(v)
    }

    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const {port} = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

function listenOn(server: NetServer, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => resolve())
  })
}

describe('openListeners: unix', {timeout: 20_000}, () => {
  it('creates the socket 0660 in a created directory; cleanup removes both', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'run', 'sub', 'docker.sock')
      const gid = process.getgid!()
      const o = options({socketGroup: String(gid), socketGroupExplicit: true})
      const ls = await openListeners([`unix://${path}`], o)
      assert.equal(ls.listeners.length, 1)
      assert.deepEqual(
        {host: ls.listeners[0]!.host, addr: ls.listeners[0]!.addr},
        {host: `unix://${path}`, addr: path},
      )
      const st = lstatSync(path)
      assert.ok(st.isSocket())
      assert.equal(st.mode & 0o777, 0o660)
      assert.equal(st.gid, gid)
      assert.equal(await answers(path), true)
      assert.ok(o.log.entries.some((e) => e.level === 'debug' && e.msg === `Listener created for HTTP on unix (${path})`))
      await ls.cleanup()
      await ls.cleanup()
      assert.equal(existsSync(path), false)
      assert.equal(existsSync(join(t.dir, 'run')), false)
    } finally {
      t.remove()
    }
  })

  it('a client that connects before the API server attaches is served once it does; a failed start closes it', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'docker.sock')
      const ls = await openListeners([`unix://${path}`], options())
      const server = ls.listeners[0]!.server
      const early = connect(path)
      const reply = new Promise<string>((resolve) => {
        let got = ''
        early.on('data', (d) => (got += d))
        early.on('close', () => resolve(got))
      })
      early.write('hello?')
      // Accepted by the listener: the daemon is still starting and nobody listens for connections.
      while ((await new Promise<number>((r) => server.getConnections((_e, n) => r(n)))) === 0) await new Promise((r) => setTimeout(r, 5))
      server.on('connection', (socket) => socket.once('data', (d: Buffer) => socket.end(`got ${d}`)))
      assert.equal(await reply, 'got hello?')

      // Until attached, held; a start that fails destroys what it held.
      const ls2 = await openListeners([`unix://${join(t.dir, 'other.sock')}`], options())
      const waiting = connect(join(t.dir, 'other.sock'))
      const closed = new Promise((r) => waiting.on('close', r))
      waiting.on('error', () => {})
      while ((await new Promise<number>((r) => ls2.listeners[0]!.server.getConnections((_e, n) => r(n)))) === 0) await new Promise((r) => setTimeout(r, 5))
      await ls2.cleanup()
      await closed
      await ls.cleanup()
    } finally {
      t.remove()
    }
  })

  it('the default group "docker" missing only warns', async () => {
    const t = tempDir()
    try {
      const groupFile = join(t.dir, 'group')
      writeFileSync(groupFile, 'root:x:0:\nstaff:x:50:\n')
      const path = join(t.dir, 'docker.sock')
      const o = options({socketGroup: 'docker', socketGroupExplicit: false, groupFile})
      const ls = await openListeners([`unix://${path}`], o)
      assert.deepEqual(
        o.log.entries.filter((e) => e.level === 'warn').map((e) => e.msg),
        [`could not change group ${path} to docker: group docker not found`],
      )
      assert.equal(lstatSync(path).mode & 0o777, 0o660)
      await ls.cleanup()
    } finally {
      t.remove()
    }
  })

  it('not root: the default group is left alone, even where it exists (issue 11)', async () => {
    const t = tempDir()
    try {
      const groupFile = join(t.dir, 'group')
      // A group the daemon's process is not in: as root the chown would succeed, as a user it is EPERM.
      writeFileSync(groupFile, `docker:x:${process.getgid!() + 4242}:\n`)
      const path = join(t.dir, 'docker.sock')
      const o = options({euid: 4242, groupFile, socketGroup: 'docker', socketGroupExplicit: false})
      const ls = await openListeners([`unix://${path}`], o)
      assert.equal(lstatSync(path).gid, process.getgid!())
      assert.deepEqual(o.log.entries.filter((e) => e.level !== 'debug'), [])
      assert.ok(o.log.entries.some((e) => e.msg === `not changing group of ${path} to docker: not running as root and --group not given`))
      await ls.cleanup()
    } finally {
      t.remove()
    }
  })

  it('an explicit --group is applied whatever the euid', {skip: process.geteuid?.() === 0 ? false : 'needs root: the chown to another group must be allowed'}, async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'run', 'docker.sock')
      const groupFile = join(t.dir, 'group')
      writeFileSync(groupFile, 'docker:x:4242:\n')
      // (A refused chown, as a real unprivileged user, is test/e2e/first-run.test.ts's.)
      const o = options({euid: 4242, groupFile, socketGroup: 'docker', socketGroupExplicit: true})
      const ls = await openListeners([`unix://${path}`], o)
      assert.equal(lstatSync(path).gid, 4242)
      await ls.cleanup()
      assert.equal(existsSync(join(t.dir, 'run')), false)
    } finally {
      t.remove()
    }
  })

  it('an explicit unknown group is refused and leaves nothing behind', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'new', 'docker.sock')
      const o = options({socketGroup: 'nosuchgroup_xyz', socketGroupExplicit: true, useGetent: true})
      await assert.rejects(openListeners([`tcp://127.0.0.1:0`, `unix://${path}`], o), {
        message: 'group nosuchgroup_xyz not found',
      })
      assert.equal(existsSync(join(t.dir, 'new')), false)
    } finally {
      t.remove()
    }
  })

  it('replaces a stale socket file nobody listens on', async () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'docker.sock')
      // A socket file whose listener is gone: bind elsewhere, move the file, close.
      const old = createServer()
      await listenOn(old, join(t.dir, 'tmp.sock'))
      renameSync(join(t.dir, 'tmp.sock'), path)
      await new Promise((r) => old.close(r))
      assert.ok(lstatSync(path).isSocket())
      assert.equal(await answers(path), false)

      const ls = await openListeners([`unix://${path}`], options())
      assert.equal(await answers(path), true)
      await ls.cleanup()
      assert.equal(existsSync(path), false)
    } finally {
      t.remove()
    }
  })

  it('refuses a live socket and a regular file, touching neither', async () => {
    const t = tempDir()
    const live = createServer((s) => {
      s.on('error', () => {})
      s.end('live')
    })
    try {
      const path = join(t.dir, 'docker.sock')
      await listenOn(live, path)
      await assert.rejects(openListeners([`unix://${path}`], options()), {
        message: `can't create unix socket ${path}: listen unix ${path}: bind: address already in use`,
      })
      assert.equal(await answers(path), true)

      const file = join(t.dir, 'not-a-socket')
      writeFileSync(file, 'data')
      await assert.rejects(openListeners([`unix://${file}`], options()), {
        message: `can't create unix socket ${file}: listen unix ${file}: bind: address already in use`,
      })
      assert.equal(readFileSync(file, 'utf8'), 'data')
    } finally {
      await new Promise((r) => live.close(r))
      t.remove()
    }
  })

  it('abstract sockets (@name) need no file', {skip: process.platform !== 'linux'}, async () => {
    const name = `@dockerd-ts-test-${process.pid}`
    const ls = await openListeners([`unix://${name}`], options())
    assert.equal(ls.listeners[0]!.addr, name)
    assert.equal(await answers(`\0${name.slice(1)}`), true)
    await ls.cleanup()
  })

  it('rolls back everything opened before a later host fails', async () => {
    const t = tempDir()
    const live = createServer()
    try {
      const good = join(t.dir, 'made', 'good.sock')
      const busy = join(t.dir, 'busy.sock')
      await listenOn(live, busy)
      const port = await freePort()
      const o = options()
      await assert.rejects(
        openListeners([`tcp://127.0.0.1:${port}`, `unix://${good}`, `unix://${busy}`], o),
        {message: `can't create unix socket ${busy}: listen unix ${busy}: bind: address already in use`},
      )
      // Both earlier listeners had been created, and are gone again.
      assert.equal(o.log.entries.filter((e) => e.msg.startsWith('Listener created for HTTP')).length, 2)
      assert.equal(await answers(port), false)
      assert.equal(existsSync(good), false)
      assert.equal(existsSync(join(t.dir, 'made')), false)
      assert.equal(await answers(busy), true)
    } finally {
      await new Promise((r) => live.close(r))
      t.remove()
    }
  })
})

describe('openListeners: tcp', {timeout: 20_000}, () => {
  it('port 0 reports the real port; loopback gets the three warnings and the 1 s pause only', async () => {
    const delays: boolean[] = []
    const o = options({insecureDelayMs: (loopback) => (delays.push(loopback), 0)})
    const ls = await openListeners(['tcp://127.0.0.1:0'], o)
    try {
      const l = ls.listeners[0]!
      const port = (l.server.address() as AddressInfo).port
      assert.notEqual(port, 0)
      assert.equal(l.addr, `127.0.0.1:${port}`)
      assert.equal(l.host, 'tcp://127.0.0.1:0')
      assert.ok(!(l.server instanceof TLSServer))
      assert.equal(await answers(port), true)
      const warns = o.log.entries.filter((e) => e.level === 'warn')
      assert.equal(warns.length, 3)
      assert.equal(warns[0]!.msg, INSECURE_1)
      assert.deepEqual(warns[0]!.fields, {host: 'tcp://127.0.0.1:0'})
      assert.deepEqual(delays, [true])
      await ls.cleanup()
      assert.equal(await answers(port), false)
    } finally {
      await ls.cleanup()
    }
  })

  it('localhost counts as loopback', async () => {
    const o = options()
    const ls = await openListeners(['tcp://localhost:0'], o)
    assert.match(ls.listeners[0]!.addr, /^127\.0\.0\.1:\d+$/)
    assert.ok(!o.log.entries.some((e) => e.msg === INSECURE_SLOW))
    await ls.cleanup()
  })

  it('non-loopback without explicit TLS settings: four more warnings and the 15 s pause', async () => {
    // 192.0.2.1 (TEST-NET-1) is not ours: nothing is ever bound, the bind error is named.
    const delays: boolean[] = []
    const o = options({insecureDelayMs: (loopback) => (delays.push(loopback), 0)})
    await assert.rejects(openListeners(['tcp://192.0.2.1:2375'], o), {
      message: 'listen tcp 192.0.2.1:2375: bind: cannot assign requested address',
    })
    assert.equal(o.log.entries.filter((e) => e.level === 'warn').length, 7)
    assert.ok(o.log.entries.some((e) => e.msg === INSECURE_SLOW && e.fields?.host === 'tcp://192.0.2.1:2375'))
    assert.deepEqual(delays, [true, false])

    const explicit = options({tlsExplicit: true})
    await assert.rejects(openListeners(['tcp://192.0.2.1:2375'], explicit), /cannot assign requested address/)
    assert.equal(explicit.log.entries.filter((e) => e.level === 'warn').length, 3)
  })

  it('bad ports and busy ports are named like Go does', async () => {
    await assert.rejects(openListeners(['tcp://127.0.0.1:99999'], options()), {message: 'listen tcp: address 99999: invalid port'})
    await assert.rejects(openListeners(['tcp://127.0.0.1:2375/path'], options()), {
      message: 'listen tcp: address tcp/2375/path: unknown port',
    })
    const busy = createServer()
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r))
    const port = (busy.address() as AddressInfo).port
    try {
      await assert.rejects(openListeners([`tcp://127.0.0.1:${port}`], options()), {
        message: `listen tcp 127.0.0.1:${port}: bind: address already in use`,
      })
    } finally {
      await new Promise((r) => busy.close(r))
    }
  })

  it('other protocols', async () => {
    await assert.rejects(openListeners(['npipe:////./pipe/docker_engine'], options({platform: 'linux'})), {
      message: 'invalid protocol format: "npipe"',
    })
    await assert.rejects(openListeners(['foo://x'], options({platform: 'linux'})), {message: 'invalid protocol format: "foo"'})
    await assert.rejects(openListeners(['foo://x'], options({platform: 'win32'})), {
      message: 'invalid protocol format: windows only supports tcp, unix and npipe',
    })
    await assert.rejects(openListeners(['nonsense'], options()), {message: 'bad format nonsense, expected PROTO://ADDR'})
  })
})

describe('openListeners: TLS', {timeout: 60_000}, () => {
  const skip = hasCommand('openssl', ['version']) ? false : 'openssl CLI not available'
  const t = tempDir()
  let ca: CA
  let server: CA
  let client: CA
  let stranger: CA

  before(() => {
    if (skip) return
    ca = makeCA(t.dir, 'ca')
    server = makeLeaf(t.dir, ca, 'server', 'serverAuth')
    client = makeLeaf(t.dir, ca, 'client', 'clientAuth')
    const other = makeCA(t.dir, 'other-ca')
    stranger = makeLeaf(t.dir, other, 'stranger', 'clientAuth')
  })
  after(() => t.remove())

  /** 'ok' when the server's greeting arrives, else the error code/message. */
  function handshake(port: number, cert?: CA): Promise<string> {
    return new Promise((resolve) => {
      const s = tlsConnect({
        port,
        host: '127.0.0.1',
        ca: readFileSync(ca.cert),
        cert: cert && readFileSync(cert.cert),
        key: cert && readFileSync(cert.key),
      })
      let data = ''
      const timer = setTimeout(() => finish('timeout'), 5000)
      function finish(v: string): void {
        clearTimeout(timer)
        s.destroy()
        resolve(v)
      }

      s.on('data', (d) => (data += d))
      s.on('end', () => finish(data === 'hello' ? 'ok' : `closed:${data}`))
      s.on('error', (error: NodeJS.ErrnoException) => finish(`error:${error.code ?? error.message}`))
    })
  }

  it('serves TLS, accepts a client cert from the CA, rejects none and another CA', {skip}, async () => {
    const tls = await loadTLSOptions({tlscacert: ca.cert, tlscert: server.cert, tlskey: server.key, verify: true})
    const o = options({tls, tlsExplicit: true})
    const ls = await openListeners(['tcp://127.0.0.1:0'], o)
    try {
      const l = ls.listeners[0]!
      assert.ok(l.server instanceof TLSServer)
      // Verified TLS: no insecure-TCP warnings.
      assert.equal(o.log.entries.filter((e) => e.level === 'warn').length, 0)
      l.server.on('secureConnection', (sock) => sock.end('hello'))
      const port = (l.server.address() as AddressInfo).port
      assert.equal(await handshake(port, client), 'ok')
      assert.notEqual(await handshake(port), 'ok')
      assert.notEqual(await handshake(port, stranger), 'ok')
    } finally {
      await ls.cleanup()
    }
  })

  it('TLS without verification still warns (but no 15 s pause when explicit)', {skip}, async () => {
    const tls = await loadTLSOptions({tlscert: server.cert, tlskey: server.key, verify: false})
    const o = options({tls, tlsExplicit: true})
    const ls = await openListeners(['tcp://127.0.0.1:0'], o)
    try {
      assert.equal(o.log.entries.filter((e) => e.level === 'warn').length, 3)
      const l = ls.listeners[0]!
      l.server.on('secureConnection', (sock) => sock.end('hello'))
      assert.equal(await handshake((l.server.address() as AddressInfo).port), 'ok')
    } finally {
      await ls.cleanup()
    }
  })
})

describe('socket activation', {timeout: 10_000}, () => {
  it('fd:// without LISTEN_FDS is refused with dockerd\'s text and unsets LISTEN_*', async () => {
    assert.equal(NO_ACTIVATED_SOCKETS, 'no sockets found via socket activation: make sure the service was started by systemd')
    await assert.rejects(openListeners(['fd://'], options({listenFdsEnv: {}})), {message: NO_ACTIVATED_SOCKETS})
    const env: NodeJS.ProcessEnv = {LISTEN_PID: String(process.pid + 1), LISTEN_FDS: '2', LISTEN_FDNAMES: 'a:b', KEEP: '1'}
    await assert.rejects(openListeners(['fd://3'], options({listenFdsEnv: env})), {message: NO_ACTIVATED_SOCKETS})
    assert.deepEqual(env, {KEEP: '1'})
  })

  it('parseListenFds', () => {
    const pid = 4242
    assert.deepEqual(parseListenFds({}, pid), [])
    assert.deepEqual(parseListenFds({LISTEN_PID: '4243', LISTEN_FDS: '1'}, pid), [])
    assert.deepEqual(parseListenFds({LISTEN_PID: '4242', LISTEN_FDS: '0'}, pid), [])
    assert.deepEqual(parseListenFds({LISTEN_PID: '4242', LISTEN_FDS: 'x'}, pid), [])
    assert.deepEqual(parseListenFds({LISTEN_PID: '4242', LISTEN_FDS: '1'}, pid), [{fd: 3, name: 'unknown'}])
    assert.deepEqual(parseListenFds({LISTEN_PID: '4242', LISTEN_FDS: '2', LISTEN_FDNAMES: 'docker.sock:tcp'}, pid), [
      {fd: 3, name: 'docker.sock'},
      {fd: 4, name: 'tcp'},
    ])
  })

  it('selectActivatedFds', () => {
    const sel = (fds: number[], addrs: string[]): unknown => {
      const r = selectActivatedFds(fds, addrs)
      return {byAddr: Object.fromEntries(r.byAddr), unused: r.unused}
    }

    assert.deepEqual(sel([3, 4], ['']), {byAddr: {'': [3, 4]}, unused: []})
    assert.deepEqual(sel([3, 4], ['*']), {byAddr: {'*': [3, 4]}, unused: []})
    assert.deepEqual(sel([3, 4, 5], ['4']), {byAddr: {'4': [4]}, unused: [3, 5]})
    assert.deepEqual(sel([3, 4, 5], ['3', '5']), {byAddr: {'3': [3], '5': [5]}, unused: [4]})
    assert.throws(() => selectActivatedFds([], ['']), {message: NO_ACTIVATED_SOCKETS})
    assert.throws(() => selectActivatedFds([3], ['abc']), {message: 'failed to parse systemd fd address: should be a number: abc'})
    assert.throws(() => selectActivatedFds([3], ['5']), {message: 'too few socket activated files passed in by systemd'})
    assert.throws(() => selectActivatedFds([3], ['1']), {message: 'failed to listen on systemd activated file: fd 1'})
  })
})

describe('helpers', () => {
  it('parseGroupFile / lookupGroupId', async () => {
    const m = parseGroupFile('# c\nroot:x:0:\ndocker:x:998:alice,bob\nbad:x:zz:\ndocker:x:1:\n+nis\n')
    assert.deepEqual([...m], [
      ['root', 0],
      ['docker', 998],
    ])
    const t = tempDir()
    try {
      const groupFile = join(t.dir, 'group')
      writeFileSync(groupFile, 'docker:x:998:\n')
      assert.equal(await lookupGroupId('docker', {groupFile, useGetent: false}), 998)
      assert.equal(await lookupGroupId('1234', {groupFile, useGetent: false}), 1234)
      assert.equal(await lookupGroupId('nosuchgroup_xyz', {groupFile, useGetent: true}), undefined)
      assert.equal(await lookupGroupId('root'), 0)
    } finally {
      t.remove()
    }
  })

  it('splitHostPort / isLoopbackIP', () => {
    assert.deepEqual(splitHostPort('127.0.0.1:2375'), {host: '127.0.0.1', port: '2375'})
    assert.deepEqual(splitHostPort('[::1]:2375'), {host: '::1', port: '2375'})
    assert.throws(() => splitHostPort('host'), {message: 'address host: missing port in address'})
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackIP(ip), true, ip)
    for (const ip of ['10.0.0.1', '0.0.0.0', '::', 'localhost']) assert.equal(isLoopbackIP(ip), false, ip)
  })
})

