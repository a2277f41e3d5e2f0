import assert from 'node:assert/strict'
import {type ChildProcess} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {createConnection, createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {track, untrack} from '../helpers/daemon.js'
import {isolatedEnv, ROOT, spawn, tempDir} from '../helpers/run.js'
import {spawnSync} from 'node:child_process'

// A second daemon (examples/portfwd, a docker-proxy-style port forwarder) assembled from the
// published entry points only: copied to a temp dir with dockerd-ts linked as its dependency.
const EXAMPLE = join(ROOT, 'examples', 'portfwd')
const built = existsSync(join(ROOT, 'lib', 'framework', 'index.js'))

describe('a second daemon built on dockerd-ts (examples/portfwd)', {skip: built ? false : 'lib/ is not built: run `npm run build`'}, () => {
  let t: ReturnType<typeof tempDir>
  let app: string
  let echo: Server
  let echoPort: number
  const children: ChildProcess[] = []
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [join(app, 'bin', 'run.js'), ...args], {cwd: t.dir, encoding: 'utf8', env: isolatedEnv(t.dir, env), timeout: 20_000})
    return {status: r.status, stderr: r.stderr, stdout: r.stdout}
  }

  /** Starts portfwd; resolves the address it listens on (from its "forwarding" log line). */
  const startProxy = (args: string[]) =>
    new Promise<{address: string; child: ChildProcess; stderr: () => string}>((resolve, reject) => {
      const child = spawn(process.execPath, [join(app, 'bin', 'run.js'), ...args], {env: isolatedEnv(t.dir), stdio: ['ignore', 'pipe', 'pipe']})
      track(child.pid)
      children.push(child)
      let err = ''
      const timer = setTimeout(() => reject(new Error(`portfwd did not start: ${err}`)), 20_000)
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        err += d
        const m = /msg=forwarding from="([\d.]+:\d+)"/.exec(err)
        if (m) {
          clearTimeout(timer)
          resolve({address: m[1], child, stderr: () => err})
        }
      })
      child.once('exit', (code) => reject(new Error(`portfwd exited ${code}: ${err}`)))
    })

  const roundTrip = (address: string, payload: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      const [host, port] = address.split(':')
      const socket = createConnection({host, port: Number(port)})
      const chunks: Buffer[] = []
      socket.on('data', (d) => chunks.push(d)).once('end', () => resolve(Buffer.concat(chunks))).once('error', reject)
      socket.end(payload)
    })

  before(async () => {
    t = tempDir('portfwd-e2e-')
    app = join(t.dir, 'portfwd')
    cpSync(EXAMPLE, app, {filter: (src) => !src.includes('node_modules'), recursive: true})
    mkdirSync(join(app, 'node_modules'))
    symlinkSync(ROOT, join(app, 'node_modules', 'dockerd-ts'), 'dir')
    // The "container": an echo server that answers each byte reversed in order, once closed.
    echo = createServer((s) => {
      const got: Buffer[] = []
      s.on('data', (d) => got.push(d)).once('end', () => s.end(Buffer.concat(got).reverse()))
    })
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
    echoPort = (echo.address() as {port: number}).port
  })
  after(async () => {
    for (const c of children) {
      if (c.exitCode === null) c.kill('SIGTERM')
      untrack(c.pid)
    }

    await new Promise((resolve) => echo.close(resolve))
    t.done()
  })

  it('imports dockerd-ts through its published entry points only, and no file under src/ names it', () => {
    const own = ['bin/run.js', 'command.js', 'daemon.js', 'conn-log-plugin.js', 'scripts/docs.mjs'].map((f) => readFileSync(join(EXAMPLE, f), 'utf8'))
    const specifiers = own.flatMap((text) => [...text.matchAll(/from '(dockerd-ts[^']*)'/g)].map((m) => m[1]))
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {exports: Record<string, unknown>}
    for (const s of specifiers) assert.ok(Object.hasOwn(pkg.exports, s.replace(/^dockerd-ts/, '.')), `${s} is a published entry point`)
    assert.ok(specifiers.length >= 6)
    const walk = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
    assert.deepEqual(walk(join(ROOT, 'src')).filter((f) => /portfwd/i.test(readFileSync(f, 'utf8'))), [])
  })

  it('--help renders its own table, with the plugin\'s flags, through oclif', () => {
    for (const flag of ['--help', '-h']) {
      const r = run([flag])
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stdout, /\$ portfwd \[OPTIONS\]/)
      assert.match(r.stdout, /--container-port=int\s+Container port to forward to/)
      assert.match(r.stdout, /--log-connections\s+Log every forwarded connection/)
      assert.doesNotMatch(r.stdout, /dockerd|--data-root/)
    }
  })

  it('--version prints its own line', () => {
    for (const args of [['--version'], ['-v', 'extra']]) {
      const r = run(args)
      assert.deepEqual(r, {status: 0, stderr: '', stdout: 'portfwd version 1.0.0\n'})
    }
  })

  it('a bad flag, a positional argument or a bad value: exit 1, a clear message naming portfwd', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /^Status: unknown flag: --bogus\nSee 'portfwd --help'\., Code: 125\n$/],
      [['--host-prt', '1'], /Did you mean --host-port\?/],
      [['extra'], /^"portfwd" accepts no argument\(s\)\.\nunexpected argument\(s\): "extra"\nSee 'portfwd --help'\./],
      [['--host-port', '80x', '--container-ip', '127.0.0.1', '--container-port', '1'], /^portfwd: invalid value "80x" for --host-port: strconv.ParseInt: parsing "80x": invalid syntax\n$/],
      [['--host-port', '1', '--container-ip', '300.1.1.1', '--container-port', '1'], /^portfwd: invalid value "300\.1\.1\.1" for --container-ip: /],
      [['--host-port', '1'], /^portfwd: --container-ip is required/],
    ]
    for (const [args, pattern] of cases) {
      const r = run(args)
      assert.equal(r.status, 1, `${args}: ${r.stderr}`)
      assert.equal(r.stdout, '')
      assert.match(r.stderr, pattern)
      assert.doesNotMatch(r.stderr, /\n\s+at |TypeError|ReferenceError/)
    }
  })

  it('reads its config file; unknown keys and flag/file conflicts are refused naming them', async () => {
    const file = join(t.dir, 'portfwd.json')
    writeFileSync(file, JSON.stringify({'container-ip': '127.0.0.1', 'container-port': echoPort, 'host-port': 0}))
    const {address, child} = await startProxy(['--config-file', file])
    assert.equal((await roundTrip(address, Buffer.from('from a file'))).toString(), 'elif a morf')
    child.kill('SIGTERM')

    writeFileSync(file, '{"host-port": 1, "hots-ip": "127.0.0.1"}')
    assert.match(run(['-c', file]).stderr, /portfwd\.json: unknown directive "hots-ip"\n$/)
    writeFileSync(file, '{"host-port": 1}')
    const both = run(['-c', file, '--host-port', '2', '--container-ip', '127.0.0.1', '--container-port', '1'])
    assert.equal(both.status, 1)
    assert.match(both.stderr, /specified both as a flag and in the configuration file: host-port: \(from flag: 2, from file: 1\)/)
    assert.match(run(['-c', join(t.dir, 'missing.json')]).stderr, /unable to read the configuration file .*missing\.json: no such file or directory/)
  })

  it('forwards real bytes over 127.0.0.1, and its plugin logs each connection', async () => {
    const {address, child, stderr} = await startProxy(['--host-port', '0', '--container-ip', '127.0.0.1', '--container-port', String(echoPort), '--log-connections'])
    const payload = Buffer.from(Array.from({length: 100_000}, (_, i) => i % 251))
    assert.deepEqual(await roundTrip(address, payload), Buffer.from(payload).reverse())
    const logged = new RegExp(`msg="connection forwarded" from="127\\.0\\.0\\.1:\\d+" to="127\\.0\\.0\\.1:${echoPort}"`)
    // The log line is written when the connection is accepted: wait for it (bounded), not a fixed time.
    for (let i = 0; i < 100 && !logged.test(stderr()); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    assert.match(stderr(), logged)
    child.kill('SIGTERM')
    const code = await new Promise((resolve) => child.once('exit', resolve))
    assert.equal(code, 0)
  })

  it('its reexec helper (portfwd-probe) checks the container address from a child', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const deadPort = (closed.address() as {port: number}).port
    await new Promise((resolve) => closed.close(resolve))
    const r = run(['--check-backend', '--host-port', '0', '--container-ip', '127.0.0.1', '--container-port', String(deadPort)])
    assert.equal(r.status, 1)
    assert.equal(r.stderr, `container address 127.0.0.1:${deadPort} does not accept connections\n`)
    // Run directly, as a re-executed child is.
    assert.equal(run(['127.0.0.1', String(echoPort)], {DOCKERD_REEXEC: 'portfwd-probe'}).status, 0)
    const {child} = await startProxy(['--check-backend', '--host-port', '0', '--container-ip', '127.0.0.1', '--container-port', String(echoPort)])
    child.kill('SIGTERM')
  })

  it('its generated docs are current (node scripts/docs.mjs)', () => {
    const r = spawnSync(process.execPath, [join(app, 'scripts', 'docs.mjs')], {encoding: 'utf8'})
    assert.equal(r.status, 0, r.stderr)
    assert.equal(readFileSync(join(app, 'docs', 'portfwd.md'), 'utf8'), readFileSync(join(EXAMPLE, 'docs', 'portfwd.md'), 'utf8'))
    assert.match(readFileSync(join(EXAMPLE, 'docs', 'portfwd.md'), 'utf8'), /\| `--log-connections` \|/)
  })
})
