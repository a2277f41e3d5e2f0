// Issue 10's daemon-side fixes, each kept by a test: TLS handshake deadline and per-listener
// connection bound, TLS parameters, socket path length, pidfile symlink and race, roots' modes.
import assert from 'node:assert/strict'
import {chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {type AddressInfo, connect, type Socket} from 'node:net'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {connect as tlsConnect} from 'node:tls'

import {ensureRootsSync} from '../../../src/daemon/dirs.js'
import {openListeners, type ListenerOptions} from '../../../src/daemon/listeners/index.js'
import {createPidfile} from '../../../src/daemon/pidfile.js'
import {loadTLSOptions} from '../../../src/daemon/tls.js'
import {type CA, captureLog, hasCommand, makeCA, makeLeaf, tempDir} from './helpers.js'

function options(over: Partial<ListenerOptions> = {}): ListenerOptions & {log: ReturnType<typeof captureLog>} {
  return {insecureDelayMs: () => 0, listenFdsEnv: {}, socketGroup: '', socketGroupExplicit: false, useGetent: false, ...over, log: captureLog()}
}

/** Resolves when the socket is closed (by the server); never rejects. */
const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())))

function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s))
    s.on('error', () => {})
    s.once('error', reject)
  })
}

describe('TLS listener limits (issue 10 #1) and parameters (#4)', {timeout: 60_000}, () => {
  const skip = hasCommand('openssl', ['version']) ? false : 'openssl CLI not available'
  const t = tempDir()
  let ca: CA
  let server: CA
  let client: CA
  before(() => {
    if (skip) return
    ca = makeCA(t.dir, 'ca')
    server = makeLeaf(t.dir, ca, 'server', 'serverAuth')
    client = makeLeaf(t.dir, ca, 'client', 'clientAuth')
  })
  after(() => t.remove())
  const tlsOptions = () => loadTLSOptions({tlscacert: ca.cert, tlscert: server.cert, tlskey: server.key, verify: true})

  it('a connection that never starts the handshake is destroyed at the deadline', {skip}, async () => {
    const ls = await openListeners(['tcp://127.0.0.1:0'], options({handshakeTimeoutMs: 200, tls: await tlsOptions(), tlsExplicit: true}))
    try {
      const port = (ls.listeners[0]!.server.address() as AddressInfo).port
      const idle = await rawConnect(port)
      // A trickling client (one byte now and then) does not reset the deadline.
      const trickle = await rawConnect(port)
      const timer = setInterval(() => trickle.writable && trickle.write('\x16'), 50)
      await Promise.all([closed(idle), closed(trickle)])
      clearInterval(timer)
    } finally {
      await ls.cleanup()
    }
  })

  it('a listener at max-connections closes new connections; another listener still answers', {skip}, async () => {
    const o = options({maxConnections: 5, tls: await tlsOptions(), tlsExplicit: true})
    const sock = join(t.dir, 'api.sock')
    const ls = await openListeners(['tcp://127.0.0.1:0', `unix://${sock}`], o)
    const held: Socket[] = []
    try {
      const tcp = ls.listeners.find((l) => l.host.startsWith('tcp'))!
      const unix = ls.listeners.find((l) => l.host.startsWith('unix'))!
      unix.server.on('connection', (s) => s.end('pong'))
      const port = (tcp.server.address() as AddressInfo).port
      for (let i = 0; i < 5; i++) held.push(await rawConnect(port))
      const extra = await rawConnect(port)
      await closed(extra)
      assert.ok(held.every((s) => !s.destroyed), 'the first five stay open')
      const pong = await new Promise<string>((resolve) => {
        let got = ''
        const c = connect(sock)
        c.on('data', (d) => (got += d))
        c.on('close', () => resolve(got))
      })
      assert.equal(pong, 'pong')
      assert.ok(o.log.entries.some((e) => e.level === 'warn' && /at its limit of 5 open connections \(max-connections-per-listener\)/.test(e.msg)))
    } finally {
      for (const s of held) s.destroy()
      await ls.cleanup()
    }
  })

  /** 'ok' or the error code of a TLS client with these settings. */
  function hello(port: number, extra: object): Promise<string> {
    return new Promise((resolve) => {
      const s = tlsConnect({ca: readFileSync(ca.cert), cert: readFileSync(client.cert), host: '127.0.0.1', key: readFileSync(client.key), port, ...extra})
      s.on('secureConnect', () => {
        s.destroy()
        resolve('ok')
      })
      s.on('error', (error: NodeJS.ErrnoException) => {
        s.destroy()
        resolve(error.code ?? error.message)
      })
    })
  }

  it("accepts only dockerd's suites under TLS 1.2, never TLS 1.1, and refuses renegotiation", {skip}, async () => {
    const ls = await openListeners(['tcp://127.0.0.1:0'], options({tls: await tlsOptions(), tlsExplicit: true}))
    try {
      const l = ls.listeners[0]!
      l.server.on('secureConnection', () => {})
      const port = (l.server.address() as AddressInfo).port
      assert.equal(await hello(port, {ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2'}), 'ok')
      assert.equal(await hello(port, {maxVersion: 'TLSv1.3'}), 'ok')
      for (const suite of ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-CCM', 'ECDHE-ECDSA-ARIA128-GCM-SHA256']) {
        assert.notEqual(await hello(port, {ciphers: suite, maxVersion: 'TLSv1.2'}), 'ok', suite)
      }

      assert.notEqual(await hello(port, {maxVersion: 'TLSv1.1', minVersion: 'TLSv1'}), 'ok')
      const renegotiated = await new Promise<string>((resolve) => {
        const s = tlsConnect({ca: readFileSync(ca.cert), cert: readFileSync(client.cert), host: '127.0.0.1', key: readFileSync(client.key), maxVersion: 'TLSv1.2', port})
        const done = (v: string): void => {
          s.destroy()
          resolve(v)
        }

        s.on('error', (error: NodeJS.ErrnoException) => done(`error:${error.code ?? error.message}`))
        s.on('close', () => done('closed'))
        s.on('secureConnect', () => {
          s.renegotiate({rejectUnauthorized: true}, (error) => done(error ? `refused:${error.message}` : 'renegotiated'))
        })
      })
      assert.notEqual(renegotiated, 'renegotiated')
    } finally {
      await ls.cleanup()
    }
  })

  it('--tlsverify with an empty --tlscacert is refused, naming the flag', {skip}, async () => {
    await assert.rejects(loadTLSOptions({tlscacert: '', tlscert: server.cert, tlskey: server.key, verify: true}), {
      message: '--tlscacert (daemon.json "tlscacert") is empty: --tlsverify needs the CA file that signs the client certificates',
    })
  })
})

describe('TLS without certificate files says which setting and where it looked (issue 11 #6)', () => {
  it('names the flags and the default paths looked for', async () => {
    await assert.rejects(loadTLSOptions({missingDefaults: {tlscert: '/h/.docker/cert.pem', tlskey: '/h/.docker/key.pem'}, tlscert: '', tlskey: '', verify: true}), {
      message:
        'could not load X509 key pair (cert: "", key: ""): --tlscert (daemon.json "tlscert") is not set and its default /h/.docker/cert.pem does not exist; --tlskey (daemon.json "tlskey") is not set and its default /h/.docker/key.pem does not exist',
    })
  })
  it('an empty value given explicitly', async () => {
    await assert.rejects(loadTLSOptions({tlscert: '/x/cert.pem', tlskey: '', verify: false}), {
      message: 'could not load X509 key pair (cert: "/x/cert.pem", key: ""): --tlskey (daemon.json "tlskey") is empty',
    })
  })
})

describe('unix socket path over the sun_path limit (issue 10 #8)', () => {
  it('is refused before binding, naming the path and the limit, leaving nothing', async () => {
    const t = tempDir()
    try {
      const dir = join(t.dir, 'x'.repeat(60), 'y'.repeat(60))
      const path = join(dir, 'docker.sock')
      await assert.rejects(openListeners([`unix://${path}`], options({platform: 'linux'})), {
        message: `can't create unix socket ${path}: path is ${Buffer.byteLength(path)} bytes long, over the limit of 107 bytes for a unix socket path (sun_path is 108 bytes)`,
      })
      assert.deepEqual(readdirSync(t.dir), [], 'no directory created')
    } finally {
      t.remove()
    }
  })

  it('a path of exactly 107 bytes binds', async () => {
    const t = tempDir('d-')
    try {
      const path = join(t.dir, 's'.repeat(107 - t.dir.length - 1))
      assert.equal(Buffer.byteLength(path), 107)
      const ls = await openListeners([`unix://${path}`], options({platform: 'linux'}))
      assert.ok(statSync(path).isSocket())
      await ls.cleanup()
    } finally {
      t.remove()
    }
  })
})

describe('pidfile hardening (issue 10 #5, #14)', {timeout: 20_000}, () => {
  it('a symlink in the last component is refused, its target untouched', async () => {
    const t = tempDir()
    try {
      const target = join(t.dir, 'precious')
      writeFileSync(target, 'keep me', {mode: 0o600})
      const path = join(t.dir, 'docker.pid')
      symlinkSync(target, path)
      await assert.rejects(createPidfile(path), {message: `pid file ${path} is a symbolic link: refusing to follow it (remove it, or give --pidfile a regular path)`})
      assert.equal(readFileSync(target, 'utf8'), 'keep me')
      assert.equal(statSync(target).mode & 0o777, 0o600)
      // A dangling one too.
      const dangling = join(t.dir, 'dangling.pid')
      symlinkSync(join(t.dir, 'nowhere'), dangling)
      await assert.rejects(createPidfile(dangling), /is a symbolic link/)
      assert.equal(existsSync(join(t.dir, 'nowhere')), false)
    } finally {
      t.remove()
    }
  })

  it('of many claims at the same instant exactly one wins, and no temporary file is left', async () => {
    const t = tempDir()
    try {
      for (let round = 0; round < 5; round++) {
        const path = join(t.dir, `r${round}`, 'docker.pid')
        mkdirSync(join(t.dir, `r${round}`))
        if (round % 2 === 1) writeFileSync(path, '999999999') // a stale file to fight over
        const results = await Promise.allSettled(Array.from({length: 8}, () => createPidfile(path)))
        const won = results.filter((r) => r.status === 'fulfilled')
        assert.equal(won.length, 1, `round ${round}: ${results.map((r) => r.status).join(',')}`)
        for (const r of results) if (r.status === 'rejected') assert.match((r.reason as Error).message, /^pid file found, ensure docker is not running or delete /)
        assert.equal(readFileSync(path, 'utf8'), String(process.pid))
        assert.deepEqual(readdirSync(join(t.dir, `r${round}`)), ['docker.pid'])
      }
    } finally {
      t.remove()
    }
  })
})

describe('ensureRootsSync: data-root 0710, exec-root 0700, all or nothing (issue 10 #7, #10)', () => {
  it('tightens existing roots and creates missing ones with their modes', () => {
    const t = tempDir()
    try {
      const data = join(t.dir, 'data')
      const exec = join(t.dir, 'exec')
      mkdirSync(data)
      chmodSync(data, 0o777)
      const created = ensureRootsSync([
        [data, 0o710],
        [exec, 0o700],
      ])
      assert.deepEqual(created, [exec])
      assert.equal(statSync(data).mode & 0o7777, 0o710)
      assert.equal(statSync(exec).mode & 0o7777, 0o700)
      // Already tighter: left alone.
      chmodSync(data, 0o700)
      ensureRootsSync([[data, 0o710]])
      assert.equal(statSync(data).mode & 0o7777, 0o700)
    } finally {
      t.remove()
    }
  })

  it('when exec-root cannot be made, the data-root just created is removed again', () => {
    const t = tempDir()
    try {
      writeFileSync(join(t.dir, 'file'), '')
      const data = join(t.dir, 'new', 'data')
      assert.throws(
        () =>
          ensureRootsSync([
            [data, 0o710],
            [join(t.dir, 'file', 'exec'), 0o700],
          ]),
        {message: `mkdir ${join(t.dir, 'file', 'exec')}: not a directory`},
      )
      assert.equal(existsSync(join(t.dir, 'new')), false)
    } finally {
      t.remove()
    }
  })
})
