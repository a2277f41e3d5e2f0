// The distributions `npm run dist` makes: the Linux single executable (run with no node on PATH),
// the linux-x64 oclif tarball, and the per-OS manifest and docs bundles; the systemd units.
//
// Part of `npm test`: building everything takes about 25 s on 2 cores (SEA ~7 s, tarball ~14 s),
// the checks a few seconds more. DOCKERD_DIST_TESTS=0 skips the file (e.g. a quick local run).
// Builds into dist/ and tmp/ (gitignored), exactly what `npm run dist` leaves there.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'

import {ROOT, api, shortTemp, spawnTracked, waitForPing, which, type Temp} from '../helpers/daemon.js'

const SEA = join(ROOT, 'dist', 'sea', 'dockerd-linux-x64')
const BUILT = existsSync(join(ROOT, 'lib', 'build-info.json')) && existsSync(join(ROOT, 'lib', 'commands', 'dockerd.js'))
const TOOLS = ['tar', 'gzip', 'git', 'npm'].filter((t) => which(t) === undefined)
const skip =
  process.env.DOCKERD_DIST_TESTS === '0'
    ? 'DOCKERD_DIST_TESTS=0'
    : process.platform !== 'linux' || process.arch !== 'x64'
      ? 'the distributions are built for linux-x64'
      : !BUILT
        ? 'lib/ is not built: run `npm run build`'
        : TOOLS.length > 0
          ? `missing ${TOOLS.join(', ')}`
          : false

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}
// What runScript() answers inside the SEA (scripts/dist.mjs SEA_REEXEC_MARK): reexec's command() passes it.
const MARK = '/nonexistent/dockerd-sea/bin/run.js'

/** An environment whose PATH has no node: only the tools named, linked into a temp dir. */
function noNodeEnv(t: Temp, tools: string[] = [], extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = t.p('tools')
  mkdirSync(dir, {recursive: true})
  for (const tool of tools) {
    const path = which(tool)
    if (path && !existsSync(join(dir, tool))) symlinkSync(path, join(dir, tool))
  }

  const env = {HOME: t.dir, PATH: dir, ...extra}
  const probe = spawnSync('/usr/bin/which', ['node'], {encoding: 'utf8', env})
  assert.notEqual(probe.status, 0, `node is reachable on PATH=${dir}: ${probe.stdout}`)
  return env
}

function tarList(file: string): string[] {
  const r = spawnSync('tar', ['-tzf', file], {encoding: 'utf8', maxBuffer: 64 << 20})
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.split('\n').filter(Boolean)
}

function tarRead(file: string, member: string): string {
  const r = spawnSync('tar', ['-xzOf', file, member], {encoding: 'utf8', maxBuffer: 64 << 20})
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

function flagsOf(manifestText: string): {flags: string[]; targetPlatform: string} {
  const manifest = JSON.parse(manifestText) as {commands: Record<string, {flags: Record<string, unknown>; targetPlatform: string}>}
  const command = Object.values(manifest.commands)[0]!
  return {flags: Object.keys(command.flags), targetPlatform: command.targetPlatform}
}

describe('npm run dist', {skip, timeout: 300_000}, () => {
  let built: {ms: number; stderr: string; stdout: string}
  let info: {commit: string; version: string}

  before(() => {
    const t0 = Date.now()
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dist.mjs')], {cwd: ROOT, encoding: 'utf8', timeout: 240_000})
    assert.equal(r.status, 0, `scripts/dist.mjs failed (${r.signal ?? r.status}):\n${r.stdout}\n${r.stderr}`)
    built = {ms: Date.now() - t0, stderr: r.stderr, stdout: r.stdout}
    info = JSON.parse(readFileSync(join(ROOT, 'lib', 'build-info.json'), 'utf8'))
  })

  describe('the single executable (dist/sea/dockerd-linux-x64)', () => {
    it('prints the version with no node on PATH', () => {
      const t = shortTemp()
      try {
        const r = spawnSync(SEA, ['--version'], {encoding: 'utf8', env: noNodeEnv(t)})
        assert.equal(r.status, 0, r.stderr)
        assert.equal(r.stdout, `Docker version ${pkg.version}, build ${info.commit}\n`)
        assert.equal(r.stderr, '')
      } finally {
        t.done()
      }
    })

    it('prints the Linux help rendered at dist time, for -h and --help anywhere', () => {
      const t = shortTemp()
      try {
        const want = spawnSync(process.execPath, [join(ROOT, 'scripts', 'docs.mjs'), '--help-text', 'linux'], {encoding: 'utf8'}).stdout
        for (const args of [['--help'], ['-h'], ['--debug', '-h'], ['-Dh']]) {
          const r = spawnSync(SEA, args, {encoding: 'utf8', env: noNodeEnv(t)})
          assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
          assert.equal(r.stdout, want, args.join(' '))
        }

        assert.match(want, /^LINUX FLAGS$/m)
        assert.match(want, /--data-root=string\s+Root directory of persistent/)
        assert.match(want, /\(default\s+"\/var\/lib\/docker"\)/)
        // A per-user daemon is told its own default paths, as `node bin/run.js --help` does.
        const user = spawnSync(SEA, ['--help'], {encoding: 'utf8', env: noNodeEnv(t, [], {DOCKERD_ROOTLESS: '1', XDG_RUNTIME_DIR: t.p('run')})})
        assert.equal(user.status, 0, user.stderr)
        assert.ok(user.stdout.includes(JSON.stringify(join(t.dir, '.local', 'share', 'docker'))), user.stdout)
        assert.ok(user.stdout.includes(JSON.stringify(t.p('run/docker.pid'))), 'pidfile under XDG_RUNTIME_DIR')
        assert.ok(!user.stdout.includes('"/var/lib/docker"'))
      } finally {
        t.done()
      }
    })

    it('refuses flag errors as dockerd does, and `plugins` with a reason', () => {
      const t = shortTemp()
      try {
        const bad = spawnSync(SEA, ['--bogus'], {encoding: 'utf8', env: noNodeEnv(t)})
        assert.equal(bad.status, 1)
        assert.equal(bad.stderr, "Status: unknown flag: --bogus\nSee 'dockerd --help'., Code: 125\n")
        const plugins = spawnSync(SEA, ['plugins'], {encoding: 'utf8', env: noNodeEnv(t)})
        assert.equal(plugins.status, 1)
        assert.match(plugins.stderr, /"plugins" is not available in the single executable/)
      } finally {
        t.done()
      }
    })

    it('dispatches reexec entry points by argv0, dropping the script mark command() passes', () => {
      const t = shortTemp()
      try {
        // What reexec's command('dockerd-selftest', ['3', 'x']) spawns inside the SEA.
        const r = spawnSync(SEA, [MARK, '3', 'x'], {argv0: 'dockerd-selftest', encoding: 'utf8', env: noNodeEnv(t)})
        assert.equal(r.status, 3, r.stderr)
        assert.deepEqual(JSON.parse(r.stdout).args, ['3', 'x'])
        assert.equal(JSON.parse(r.stdout).argv0, 'dockerd-selftest')
        // A child asked for --version runs its entry point too, not the loader's version line.
        for (const opts of [{argv0: 'dockerd-selftest'}, {env: noNodeEnv(t, [], {DOCKERD_REEXEC: 'dockerd-selftest'})}]) {
          const child = spawnSync(SEA, ['--version'], {encoding: 'utf8', env: noNodeEnv(t), ...opts})
          assert.equal(child.status, 0, child.stderr)
          assert.deepEqual(JSON.parse(child.stdout).args, ['--version'])
        }
      } finally {
        t.done()
      }
    })

    it('runs the daemon with no node on PATH: /_ping answers 200, metrics serve, SIGTERM exits 0 and cleans up', async () => {
      const t = shortTemp()
      try {
        writeFileSync(t.p('daemon.json'), '{}')
        const sock = t.p('d.sock')
        // --metrics-addr loads prom-client and node:http lazily: dynamic imports, which a SEA lacks.
        const args = ['-H', `unix://${sock}`, '--data-root', t.p('data'), '--exec-root', t.p('exec'), '--pidfile', t.p('d.pid'), '--config-file', t.p('daemon.json'), '--metrics-addr', '127.0.0.1:']
        const d = spawnTracked(SEA, args, noNodeEnv(t, [], {DOCKERD_ROOTLESS: '1', XDG_RUNTIME_DIR: t.p('run')}))
        try {
          await d.waitFor(/API listen on /, 15_000)
          await waitForPing(sock, 15_000, d)
          const ping = await api(sock, '/_ping')
          assert.equal(ping.status, 200)
          assert.equal(ping.body, 'OK')
          assert.equal(readFileSync(t.p('d.pid'), 'utf8'), String(d.pid))
          const [, metricsAddr] = (await d.waitFor(/metrics API listening on ([^\s"]+)/, 5000)) as RegExpMatchArray
          const metrics = await fetch(`http://${metricsAddr}/metrics`, {signal: AbortSignal.timeout(5000)})
          assert.equal(metrics.status, 200)
          assert.match(await metrics.text(), /engine_daemon_api_requests_total\{method="GET",route="\/_ping",status="200"\} [1-9]/)
          assert.equal(await d.stop('SIGTERM', 20_000), 0, d.stderr())
          assert.match(d.stderr(), /Daemon shutdown complete/)
          assert.ok(!existsSync(sock) && !existsSync(t.p('d.pid')), 'socket and pidfile removed')
        } finally {
          if (d.running()) await d.stop('SIGKILL', 5000).catch(() => null)
        }
      } finally {
        t.done()
      }
    })

    it('takes its socket from systemd (-H fd://) as the unit runs it', {skip: which('systemd-socket-activate') ? false : 'systemd-socket-activate is not installed'}, async () => {
      const t = shortTemp()
      try {
        writeFileSync(t.p('daemon.json'), '{}')
        const sock = t.p('a.sock')
        const args = ['-l', sock, SEA, '-H', 'fd://', '--data-root', t.p('data'), '--exec-root', t.p('exec'), '--pidfile', t.p('d.pid'), '--config-file', t.p('daemon.json')]
        const d = spawnTracked(which('systemd-socket-activate')!, args, noNodeEnv(t, [], {DOCKERD_ROOTLESS: '1', XDG_RUNTIME_DIR: t.p('run')}))
        try {
          await d.waitFor(/Listening on /, 10_000)
          // The first connection starts the daemon (systemd-socket-activate execs it in place).
          await waitForPing(sock, 15_000, d)
          await d.waitFor(/API listen on /, 15_000)
          assert.equal(await d.stop('SIGTERM', 20_000), 0, d.stderr())
        } finally {
          if (d.running()) await d.stop('SIGKILL', 5000).catch(() => null)
        }
      } finally {
        t.done()
      }
    })
  })

  describe('the linux-x64 tarball', () => {
    const tarball = () => join(ROOT, 'dist', `dockerd-v${pkg.version}-${/^[0-9a-f]{7}$/.test(info.commit) ? info.commit : '0000000'}-linux-x64.tar.gz`)

    it('carries node, the Linux manifest and the Linux docs only', () => {
      const list = tarList(tarball())
      for (const f of ['dockerd/bin/dockerd', 'dockerd/bin/node', 'dockerd/bin/run.js', 'dockerd/oclif.manifest.json', 'dockerd/docs/dockerd.linux.md', 'dockerd/docs/dockerd.8', 'dockerd/docs/plugins.md', 'dockerd/docs/schema/daemon.linux.json']) {
        assert.ok(list.includes(f), `${f} in the tarball`)
      }

      assert.ok(!list.some((f) => /dockerd\.(windows|freebsd)\.md|daemon\.(windows|freebsd)\.json/.test(f)), 'no other OS docs')
      const {flags, targetPlatform} = flagsOf(tarRead(tarball(), 'dockerd/oclif.manifest.json'))
      assert.equal(targetPlatform, 'linux')
      assert.ok(flags.includes('cgroup-parent') && !flags.includes('register-service'))
    })

    it('runs with its own node (no node on PATH): --version, and --help through oclif', () => {
      const t = shortTemp()
      try {
        const r0 = spawnSync('tar', ['-xzf', tarball(), '-C', t.dir], {encoding: 'utf8'})
        assert.equal(r0.status, 0, r0.stderr)
        // oclif's bin/dockerd is a bash script using dirname and readlink.
        const env = noNodeEnv(t, ['bash', 'dirname', 'readlink'])
        const v = spawnSync(join(t.dir, 'dockerd', 'bin', 'dockerd'), ['--version'], {encoding: 'utf8', env})
        assert.equal(v.status, 0, v.stderr)
        assert.equal(v.stdout, `Docker version ${pkg.version}, build ${info.commit}\n`)
        const h = spawnSync(join(t.dir, 'dockerd', 'bin', 'dockerd'), ['--help'], {encoding: 'utf8', env})
        assert.equal(h.status, 0, h.stderr)
        assert.match(h.stdout, /^LINUX FLAGS$/m)
      } finally {
        t.done()
      }
    })
  })

  describe('per-OS manifests and docs', () => {
    it('dist/docs-windows.tar.gz: the Windows manifest lists the service flags and not --cgroup-parent', () => {
      const file = join(ROOT, 'dist', 'docs-windows.tar.gz')
      const list = tarList(file)
      assert.ok(list.includes('docs/dockerd.windows.md') && list.includes('docs/schema/daemon.windows.json'), list.join(' '))
      assert.ok(!list.includes('docs/dockerd.linux.md') && !list.includes('docs/dockerd.8'))
      const {flags, targetPlatform} = flagsOf(tarRead(file, 'oclif.manifest.json'))
      assert.equal(targetPlatform, 'win32')
      for (const f of ['register-service', 'unregister-service', 'service-name']) assert.ok(flags.includes(f), f)
      assert.ok(!flags.includes('cgroup-parent') && !flags.includes('userns-remap'))
    })

    it('the docs bundles are reproducible (sorted, no owners or times)', () => {
      const file = join(ROOT, 'dist', 'docs-linux.tar.gz')
      const r = spawnSync('tar', ['-tvzf', file], {encoding: 'utf8'})
      for (const line of r.stdout.split('\n').filter(Boolean)) assert.match(line, / 0\/0 .* 1970-01-01 00:00 /, line)
      const list = tarList(file)
      assert.equal(list[0], 'oclif.manifest.json')
      assert.deepEqual(list.slice(1), [...list.slice(1)].sort(), 'docs/ in name order')
    })

    it('the build took a bounded time and printed its artefacts', () => {
      for (const f of ['dist/sea/dockerd-linux-x64', 'dist/docs-windows.tar.gz', 'dist/docs-linux.tar.gz']) assert.match(built.stdout, new RegExp(f.replaceAll('.', '\\.')))
      assert.ok(built.ms < 180_000, `npm run dist took ${built.ms} ms`)
    })
  })

  describe('contrib/systemd', () => {
    it('the units pass systemd-analyze verify with ExecStart pointing at the built executable', {skip: which('systemd-analyze') ? false : 'systemd-analyze is not installed'}, () => {
      const t = shortTemp()
      try {
        const service = readFileSync(join(ROOT, 'contrib', 'systemd', 'dockerd.service'), 'utf8')
        assert.match(service, /^ExecStart=\/usr\/local\/bin\/dockerd-ts -H fd:\/\/$/m)
        assert.match(service, /^Type=notify$/m)
        assert.match(service, /^ExecReload=\/bin\/kill -s HUP \$MAINPID$/m)
        writeFileSync(t.p('dockerd.service'), service.replace('ExecStart=/usr/local/bin/dockerd-ts', `ExecStart=${SEA}`))
        writeFileSync(t.p('dockerd.socket'), readFileSync(join(ROOT, 'contrib', 'systemd', 'dockerd.socket'), 'utf8'))
        const r = spawnSync('systemd-analyze', ['verify', '--man=no', t.p('dockerd.service'), t.p('dockerd.socket')], {encoding: 'utf8'})
        assert.equal(r.status, 0, r.stderr)
        assert.equal(r.stderr.trim(), '')
        assert.deepEqual(readdirSync(t.dir).sort(), ['dockerd.service', 'dockerd.socket'])
      } finally {
        t.done()
      }
    })
  })
})
