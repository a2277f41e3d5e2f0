// A first run as a new user would make it on a host that already runs Docker (issue 11): an
// unprivileged user where a `docker` group exists, with nothing but the per-user defaults.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {BIN, NOT_BUILT, ROOT, api, daemonBuilt, isolatedEnv, spawnTracked, withTimeout} from '../helpers/daemon.js'

const which = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
const asRoot = process.geteuid?.() === 0
const tools = ['useradd', 'userdel', 'groupadd', 'groupdel', 'setpriv'].filter((c) => !which(c))
const skip = !daemonBuilt ? NOT_BUILT : !asRoot ? 'needs root to create an unprivileged user (useradd)' : tools.length > 0 ? `missing ${tools.join(', ')}` : false

describe('first run as an unprivileged user where a docker group exists', {skip, timeout: 120_000}, () => {
  const user = `ddts${process.pid}`
  let uid = 0
  let gid = 0
  let createdGroup = false
  let home = ''

  before(() => {
    if (spawnSync('getent', ['group', 'docker']).status !== 0) {
      // The situation under test needs the group; made for this test only when the host has none.
      assert.equal(spawnSync('groupadd', ['--system', 'docker']).status, 0, 'groupadd docker')
      createdGroup = true
    }

    const r = spawnSync('useradd', ['--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', user], {encoding: 'utf8'})
    assert.equal(r.status, 0, `useradd: ${r.stderr}`)
    uid = Number(spawnSync('id', ['-u', user], {encoding: 'utf8'}).stdout.trim())
    gid = Number(spawnSync('id', ['-g', user], {encoding: 'utf8'}).stdout.trim())
    home = mkdtempSync('/tmp/ddts-home-')
    for (const d of [home, join(home, 'run')]) {
      mkdirSync(d, {mode: 0o700, recursive: true})
      chownSync(d, uid, gid)
    }
  })

  after(() => {
    if (home) rmSync(home, {force: true, recursive: true})
    spawnSync('userdel', [user])
    if (createdGroup) spawnSync('groupdel', ['docker'])
  })

  /** `dockerd ARGS` as the user: its uid and primary group only, a login-like environment. */
  const asUser = (args: string[]) =>
    spawnTracked('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', process.execPath, BIN, ...args], isolatedEnv(home, {DOCKERD_ROOTLESS: undefined, USER: user}))

  it('a plain start uses the per-user paths and keeps the socket in the user\'s own group', async () => {
    const d = asUser([])
    const sock = join(home, 'run', 'docker.sock')
    await d.waitFor(/API listen on /, 20_000)
    assert.match(d.stderr(), new RegExp(`API listen on ${sock.replaceAll('.', '\\.')}`))
    const st = lstatSync(sock)
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [uid, gid, 0o660])
    const ping = await api(sock, '/_ping')
    assert.equal(ping.status, 200)
    assert.doesNotMatch(d.stderr(), /operation not permitted|level=(warning|error)/)
    assert.equal(await d.stop('SIGTERM'), 0)
    assert.equal(existsSync(sock), false)
  })

  it('--group docker, which the user is not in, fails naming the group and leaves nothing behind', async () => {
    const d = asUser(['--group', 'docker'])
    const {code} = await withTimeout(d.exited, 20_000, 'daemon still running')
    assert.equal(code, 1)
    const sock = join(home, 'run', 'docker.sock')
    assert.match(d.stderr(), new RegExp(`can't create unix socket ${sock.replaceAll('.', '\\.')}: chown .*: operation not permitted: cannot give the socket to group docker \\(the daemon is not root: the user must be a member of it\\)`))
    assert.equal(existsSync(sock), false)
    assert.equal(existsSync(join(home, 'run', 'docker.pid')), false)
  })

  it('--group naming the user\'s own group is applied', async () => {
    const d = asUser(['--group', user])
    const sock = join(home, 'run', 'docker.sock')
    await d.waitFor(/API listen on /, 20_000)
    assert.equal(lstatSync(sock).gid, gid)
    assert.equal(await d.stop('SIGTERM'), 0)
  })
})

describe("the README's first commands, as written, on this machine", {skip: daemonBuilt ? false : NOT_BUILT}, () => {
  it('every `bin/run.js` line after "After a build" works, and the --validate ones say configuration OK', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const block = /After a build[^]*?```sh\n([^]*?)```/.exec(readme)?.[1]
    assert.ok(block, 'the README has the block')
    const lines = block.split('\n').filter((l) => l.trim() !== '')
    assert.ok(lines.some((l) => l.startsWith('bin/run.js --validate --config-file')), 'the block has a --validate example')
    const home = mkdtempSync('/tmp/ddts-readme-')
    try {
      // Only the scratch file is moved into the test's temp dir; the commands are run as written.
      const script = lines.map((l) => l.replaceAll('/tmp/daemon.json', join(home, 'daemon.json'))).join(' && \\\n')
      const r = spawnSync('sh', ['-c', script], {cwd: ROOT, encoding: 'utf8', env: isolatedEnv(home), timeout: 60_000})
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stderr, 'configuration OK\nconfiguration OK\n')
    } finally {
      rmSync(home, {force: true, recursive: true})
    }
  })
})

describe('installing beside the host\'s Docker or in its place (contrib/systemd/install.sh)', {skip: daemonBuilt ? false : NOT_BUILT}, () => {
  const script = join(ROOT, 'contrib', 'systemd', 'install.sh')
  // The units and paths Docker's own packages use (Debian's docker.io, docker-ce).
  const DOCKER = {config: '/etc/docker/daemon.json', dataRoot: '/var/lib/docker', execRoot: '/var/run/docker', pidfile: '/var/run/docker.pid', socket: '/run/docker.sock'}

  /** The installer into a temp root; what it wrote, by path under that root. */
  const install = (mode: string) => {
    const root = mkdtempSync('/tmp/ddts-root-')
    // bin/run.js stands in for the single executable: the units need a file there, executable.
    const r = spawnSync('sh', [script, mode, BIN], {encoding: 'utf8', env: {...process.env, DESTDIR: root}, timeout: 30_000})
    return {r, root}
  }

  const unitValue = (text: string, key: string): string => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? ''

  /** systemd-analyze verify on the installed units, ExecStart pointed at the installed copy. */
  const verify = (root: string, units: string[]) => {
    const dir = join(root, 'verify')
    mkdirSync(dir)
    for (const u of units) {
      const text = readFileSync(join(root, 'etc', 'systemd', 'system', u), 'utf8')
      writeFileSync(join(dir, u), text.replace('ExecStart=/usr/local/bin/dockerd-ts', `ExecStart=${root}/usr/local/bin/dockerd-ts`))
    }

    return spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map((u) => join(dir, u))], {encoding: 'utf8', timeout: 30_000})
  }

  const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0
  const noAnalyze = hasAnalyze ? false : 'systemd-analyze is not installed (apt-get install systemd)'

  for (const [mode, units] of [
    ['beside', ['dockerd-ts.service', 'dockerd-ts.socket']],
    ['replace', ['dockerd.service', 'dockerd.socket']],
  ] as const) {
    it(`${mode}: installs the executable where the units run it, never as dockerd`, () => {
      const {r, root} = install(mode)
      try {
        assert.equal(r.status, 0, r.stderr)
        const exe = join(root, 'usr', 'local', 'bin', 'dockerd-ts')
        assert.equal(lstatSync(exe).mode & 0o777, 0o755)
        for (const u of units) {
          const text = readFileSync(join(root, 'etc', 'systemd', 'system', u), 'utf8')
          if (u.endsWith('.service')) assert.match(unitValue(text, 'ExecStart'), /^\/usr\/local\/bin\/dockerd-ts -H fd:\/\//)
        }

        const names = spawnSync('find', [root, '-type', 'f', '-printf', '%P\\n'], {encoding: 'utf8'}).stdout.split('\n').filter(Boolean).sort()
        assert.ok(!names.some((n) => /(^|\/)dockerd$/.test(n)), `nothing named dockerd: ${names.join(', ')}`)
      } finally {
        rmSync(root, {force: true, recursive: true})
      }
    })

    it(`${mode}: the installed units pass systemd-analyze verify`, {skip: noAnalyze}, () => {
      const {r, root} = install(mode)
      try {
        assert.equal(r.status, 0, r.stderr)
        const v = verify(root, [...units])
        assert.equal(v.status, 0, v.stderr)
        assert.equal(v.stderr.trim(), '')
      } finally {
        rmSync(root, {force: true, recursive: true})
      }
    })
  }

  it('beside: its own socket, data root, exec root, pidfile and daemon.json; the unit\'s flags validate', () => {
    const {r, root} = install('beside')
    try {
      assert.equal(r.status, 0, r.stderr)
      const service = readFileSync(join(root, 'etc', 'systemd', 'system', 'dockerd-ts.service'), 'utf8')
      const socket = readFileSync(join(root, 'etc', 'systemd', 'system', 'dockerd-ts.socket'), 'utf8')
      const args = unitValue(service, 'ExecStart').split(' ').slice(1)
      const flag = (name: string) => args[args.indexOf(name) + 1]
      const mine = {config: flag('--config-file'), dataRoot: flag('--data-root'), execRoot: flag('--exec-root'), pidfile: flag('--pidfile'), socket: unitValue(socket, 'ListenStream')}
      for (const key of Object.keys(DOCKER) as Array<keyof typeof DOCKER>) {
        assert.ok(mine[key]?.startsWith('/'), `${key} is set: ${mine[key]}`)
        assert.notEqual(mine[key].replace(/^\/var\/run\//, '/run/'), DOCKER[key].replace(/^\/var\/run\//, '/run/'), key)
      }

      // The host's own docker.socket, when there is one, listens elsewhere.
      if (existsSync('/lib/systemd/system/docker.socket')) {
        assert.notEqual(unitValue(readFileSync('/lib/systemd/system/docker.socket', 'utf8'), 'ListenStream'), mine.socket)
      }

      // The installer wrote the daemon.json the unit names; the daemon accepts the unit's command line.
      assert.equal(readFileSync(join(root, mine.config), 'utf8'), '{}\n')
      const validate = spawnSync(process.execPath, [BIN, ...args.map((a) => (a === mine.config ? join(root, a) : a)), '--validate'], {encoding: 'utf8', env: isolatedEnv(root, {DOCKERD_ROOTLESS: '0'}), timeout: 30_000})
      assert.equal(validate.stderr, 'configuration OK\n')
      assert.equal(validate.status, 0)
    } finally {
      rmSync(root, {force: true, recursive: true})
    }
  })

  it('refuses a missing executable or an unknown mode, installing nothing', () => {
    for (const args of [['beside', '/nonexistent/dockerd-linux-x64'], ['sideways', BIN], ['beside']]) {
      const root = mkdtempSync('/tmp/ddts-root-')
      try {
        const r = spawnSync('sh', [script, ...args], {encoding: 'utf8', env: {...process.env, DESTDIR: root}, timeout: 30_000})
        assert.equal(r.status, 1)
        assert.match(r.stderr, /usage: |not an executable file/)
        assert.deepEqual(readdirSync(root), [])
      } finally {
        rmSync(root, {force: true, recursive: true})
      }
    }
  })
})

describe('npm install: every dependency install script reviewed (package.json allowScripts)', () => {
  it('`npm install-scripts ls` finds none left to review', (t) => {
    const r = spawnSync('npm', ['install-scripts', 'ls'], {cwd: ROOT, encoding: 'utf8', timeout: 120_000})
    if (r.error || /Unknown command|is not a npm command/i.test(r.stderr + r.stdout)) {
      t.skip(`this npm has no install-scripts command (npm 11.x with allowScripts): ${r.error?.message ?? r.stderr.trim().split('\n')[0]}`)
      return
    }

    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout + r.stderr, /No packages with unreviewed install scripts/)
  })
})
