// A first run as a new user would make it on a host that already runs Docker (issue 11): an
// unprivileged user where a `docker` group exists, with nothing but the per-user defaults.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
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
