import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {BIN, ROOT, isolatedEnv, tempDir} from '../helpers/run.js'
import {directoryBomb, type TarEntry, tgz} from '../fixtures/plugins/tar-writer.js'

// `dockerd plugins …` through the BUILT bin/run.js, with DOCKERD_DATA_DIR in a temp dir and an
// npm registry that cannot be reached: local archives must install, list and uninstall offline.

const FIXTURE = join(ROOT, 'test', 'fixtures', 'plugins', 'hello-plugin')
const NPM_CLI = join(ROOT, 'node_modules', 'npm', 'bin', 'npm-cli.js')
const routeHook = join(ROOT, 'lib', 'hooks', 'init', 'plugins-route.js')
const built = existsSync(BIN) && existsSync(routeHook) && existsSync(join(ROOT, 'lib', 'plugins', 'untar.js'))
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {oclif?: {hooks?: {init?: unknown}}}
const routed = /plugins-route|pluginsRoute/.test(JSON.stringify(pkg.oclif?.hooks?.init ?? null))

interface Result {
  status: null | number
  stderr: string
  stdout: string
}

/** Every path under dir with its type and, for files, content: "unchanged" means equal snapshots. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return ['<absent>']
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const st = lstatSync(p)
      out.push(`${relative(dir, p)} ${st.isDirectory() ? 'dir' : st.isFile() ? readFileSync(p, 'utf8') : 'other'}`)
      if (st.isDirectory()) walk(p)
    }
  }

  walk(dir)
  return out
}

describe('dockerd plugins (built bin/run.js)', {skip: built ? false : 'lib/ is not built: run `npm run build`', timeout: 120_000}, () => {
  let t: ReturnType<typeof tempDir>
  let archive: string
  let n = 0
  const dataDirs = () => join(t.dir, `data-${++n}`)

  const run = (args: string[], dataDir: string, extra: NodeJS.ProcessEnv = {}): Result => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: t.dir,
      encoding: 'utf8',
      // An unreachable registry: nothing here may need the network.
      // No retries: npm's default backoff would turn the refused connection into a minute's wait.
      env: isolatedEnv(join(t.dir, 'home'), {DOCKERD_DATA_DIR: dataDir, DOCKERD_NPM_REGISTRY: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', ...extra}),
      timeout: 30_000,
    })
    return {status: r.status, stderr: r.stderr, stdout: r.stdout}
  }

  const ok = (r: Result, what: string) => assert.equal(r.status, 0, `${what}: ${r.stderr}${r.stdout}`)

  before(() => {
    t = tempDir('dockerd-plugins-e2e-')
    mkdirSync(join(t.dir, 'home'))
    // The fixture as npm publishes it: `npm pack` (bundled npm), falling back to our own writer.
    const packed = join(t.dir, 'packed')
    mkdirSync(packed)
    const r = existsSync(NPM_CLI)
      ? spawnSync(process.execPath, [NPM_CLI, 'pack', FIXTURE, '--pack-destination', packed, '--ignore-scripts'], {
          encoding: 'utf8',
          env: isolatedEnv(join(t.dir, 'home')),
          timeout: 60_000,
        })
      : undefined
    archive = join(packed, 'hello-plugin-1.0.0.tgz')
    if (r?.status !== 0 || !existsSync(archive)) {
      const file = (name: string, mode = 0o644): TarEntry => ({body: readFileSync(join(FIXTURE, name)), mode, name: `package/${name}`})
      writeFileSync(archive, tgz([file('package.json'), file('plugin.js'), file('bin/hello.sh', 0o755)]))
    }
  })
  after(() => t?.done())

  it('package.json routes `plugins` through the init hook', () => {
    assert.ok(routed, 'package.json oclif.hooks.init must include ./lib/hooks/init/plugins-route.js (before the plugins loader hook)')
  })

  describe('with the hook routed', {skip: routed ? false : 'oclif.hooks.init lacks plugins-route (see the test above)'}, () => {
    it('installs a local .tgz offline, lists it, shows its flags in --help, and uninstalls it', (tc) => {
      const data = dataDirs()
      const install = run(['plugins', 'install', archive], data)
      ok(install, 'install')
      // Not a TTY: one plain line per step, no control characters, no package-name prefix.
      const lines = install.stderr.split('\n').filter(Boolean)
      assert.deepEqual(
        lines.map((l) => l.replace(/^Installing plugin \S*hello-plugin-1\.0\.0\.tgz: /, '')),
        ['unpacking', 'checking the package', 'recording it', 'installed hello-plugin v1.0.0'],
      )
      assert.doesNotMatch(install.stderr, /dockerd-ts|\u001B/)

      const user = JSON.parse(readFileSync(join(data, 'package.json'), 'utf8')) as Record<string, unknown>
      assert.deepEqual(user, {
        dependencies: {'hello-plugin': '1.0.0'},
        name: 'dockerd-ts',
        oclif: {plugins: [{name: 'hello-plugin', tag: '1.0.0', type: 'user'}], schema: 1},
        private: true,
      })
      const root = join(data, 'node_modules', 'hello-plugin')
      assert.ok(existsSync(join(root, 'plugin.js')), 'package/ stripped')
      assert.equal(statSync(join(root, 'bin', 'hello.sh')).mode & 0o7777, 0o755)
      assert.deepEqual(readdirSync(join(data, 'node_modules')), ['hello-plugin'], 'no staging left')

      for (const args of [['plugins'], ['plugins', 'ls'], ['plugins', 'list']]) {
        const ls = run(args, data)
        ok(ls, args.join(' '))
        assert.match(ls.stdout, /^hello-plugin 1\.0\.0 \(1\.0\.0\)$/m, args.join(' '))
      }

      const help = run(['--help'], data)
      ok(help, '--help')
      if (/HELLO FLAGS/.test(help.stdout)) {
        assert.match(help.stdout, /HELLO FLAGS\n\s+--hello-greeting/)
      } else {
        tc.todo('plugin flag sets are not yet shown in --help (lead: wiring of dockerd:plugin flag sets into help)')
      }

      const rm = run(['plugins', 'uninstall', 'hello-plugin'], data)
      ok(rm, 'uninstall')
      assert.equal(existsSync(root), false)
      const after = run(['plugins'], data)
      ok(after, 'ls after uninstall')
      assert.match(after.stdout, /No plugins installed\./)
      assert.doesNotMatch(run(['--help'], data).stdout, /hello-greeting/)
    })

    it('accepts file:<path>, `add`, and reinstalls over an earlier copy', () => {
      const data = dataDirs()
      ok(run(['plugins', 'add', `file:${relative(t.dir, archive)}`], data), 'add file:')
      ok(run(['plugins', 'install', archive], data), 'reinstall')
      const user = JSON.parse(readFileSync(join(data, 'package.json'), 'utf8')) as {oclif: {plugins: unknown[]}}
      assert.deepEqual(user.oclif.plugins, [{name: 'hello-plugin', tag: '1.0.0', type: 'user'}])
      assert.deepEqual(readdirSync(join(data, 'node_modules')), ['hello-plugin'])
      ok(run(['plugins', 'remove', 'hello-plugin'], data), 'remove')
    })

    it('installs a local directory at once, offline, as a copy (never a GitHub URL)', () => {
      const data = dataDirs()
      const dir = join(t.dir, 'dir-hello')
      cpSync(FIXTURE, dir, {recursive: true})
      mkdirSync(join(dir, '.git'))
      mkdirSync(join(t.dir, 'sub'))
      cpSync(FIXTURE, join(t.dir, 'sub', 'hello'), {recursive: true})
      // `sub/hello` exists, so it is that directory, not the GitHub repository sub/hello; a bare
      // word stays an npm name, as for npm itself.
      for (const arg of [`./${relative(t.dir, dir)}`, dir, 'sub/hello']) {
        const r = run(['plugins', 'install', arg], data)
        ok(r, `install ${arg}`)
        assert.match(r.stderr, new RegExp(`^Installing plugin ${arg.replaceAll(/[/.]/g, '\\$&')}: installed hello-plugin v1\\.0\\.0$`, 'm'))
        assert.doesNotMatch(r.stderr, /github|npm error/i)
      }

      const root = join(data, 'node_modules', 'hello-plugin')
      assert.ok(existsSync(join(root, 'plugin.js')))
      assert.equal(existsSync(join(root, '.git')), false, '.git is not copied')
      assert.equal(lstatSync(root).isSymbolicLink(), false, 'a copy, not a link')
      assert.match(run(['plugins'], data).stdout, /^hello-plugin 1\.0\.0 \(1\.0\.0\)$/m)

      const missing = run(['plugins', 'install', './no-such-dir'], data)
      assert.equal(missing.status, 1)
      assert.match(missing.stderr, /no-such-dir: no such directory/)
      const notPlugin = join(t.dir, 'not-a-plugin')
      mkdirSync(notPlugin)
      const refused = run(['plugins', 'install', notPlugin], data)
      assert.equal(refused.status, 1)
      assert.match(refused.stderr, /not-a-plugin: not a plugin package: it has no package\.json/)
      assert.match(refused.stderr, /plugins link /, 'points at plugins link')
    })

    it('a failed npm install leaves a linked plugin of that name, an installed one and a fresh data dir as they were', () => {
      const linked = dataDirs()
      const dir = join(t.dir, 'linked-survivor')
      cpSync(FIXTURE, dir, {recursive: true})
      ok(run(['plugins', 'link', '--no-install', dir], linked), 'link')
      const installed = dataDirs()
      ok(run(['plugins', 'install', archive], installed), 'install the archive')
      for (const data of [linked, installed]) {
        const before = snapshot(data)
        const ls = run(['plugins'], data).stdout
        // The registry cannot be reached: npm fails, as for a typo or a network outage.
        const r = run(['plugins', 'install', 'hello-plugin'], data)
        assert.equal(r.status, 1, r.stderr)
        assert.match(r.stderr, /hello-plugin/)
        assert.deepEqual(snapshot(data), before)
        assert.equal(run(['plugins'], data).stdout, ls)
      }

      // A failed update (npm cannot reach the registry) leaves the installed plugin as it was too.
      const before = snapshot(installed)
      const update = run(['plugins', 'update'], installed)
      assert.equal(update.status, 1, update.stderr)
      assert.deepEqual(snapshot(installed), before)

      const fresh = join(t.dir, 'fresh-npm')
      assert.equal(run(['plugins', 'install', 'hello-plugin'], fresh).status, 1)
      assert.equal(existsSync(fresh), false, 'a data dir that did not exist is not left behind')
    })

    it('links a plugin directory and unlinks it', () => {
      const data = dataDirs()
      const dir = join(t.dir, 'linked-hello')
      cpSync(FIXTURE, dir, {recursive: true})
      const link = run(['plugins', 'link', dir], data)
      ok(link, 'link')
      assert.match(link.stderr, /^Linking plugin /m)
      assert.doesNotMatch(link.stderr, /dockerd-ts/)
      const ls = run(['plugins'], data)
      assert.match(ls.stdout, new RegExp(`^hello-plugin 1\\.0\\.0 \\(link\\) ${dir.replaceAll(/[/.]/g, '\\$&')}$`, 'm'))
      ok(run(['plugins', 'unlink', 'hello-plugin'], data), 'unlink')
      assert.match(run(['plugins'], data).stdout, /No plugins installed\./)
      assert.ok(existsSync(join(dir, 'plugin.js')), 'unlink leaves the directory alone')
    })

    const hostile: Array<[string, TarEntry | 'directory bomb', RegExp]> = [
      ['a .. path', {body: 'x', name: 'package/../../escape'}, /refused entry "package\/\.\.\/\.\.\/escape": path contains "\.\."/],
      ['an absolute path', {body: 'x', name: '/tmp/dockerd-e2e-abs'}, /refused entry "\/tmp\/dockerd-e2e-abs": absolute path/],
      ['a symlink out', {linkname: '/etc', name: 'package/etc', type: '2'}, /refused entry "package\/etc": symbolic link \(to "\/etc"\)/],
      ['a hard link to /etc/passwd', {linkname: '/etc/passwd', name: 'package/pw', type: '1'}, /refused entry "package\/pw": hard link/],
      ['a device', {name: 'package/null', type: '3'}, /refused entry "package\/null": character device/],
      ['a bomb', {name: 'package/bomb', noBody: true, size: 2 ** 40}, /refused entry "package\/bomb": archive expands beyond/],
      // A directory entry followed by 2 GiB of data (a ~2 MB file): once inflated in full and installed.
      ['a directory carrying 2 GiB', 'directory bomb', /refused entry "package\/dir": archive expands beyond the 536870912-byte limit \(a directory entry carrying 2147483648 bytes\)/],
    ]

    for (const [label, entry, message] of hostile) {
      it(`refuses a tarball with ${label}: exit 1, names the entry, data dir unchanged`, () => {
        const data = dataDirs()
        ok(run(['plugins', 'install', archive], data), 'install a good plugin first')
        const evil = join(t.dir, `evil-${n}.tgz`)
        const pjson = JSON.stringify({name: 'evil-plugin', oclif: {}, version: '1.0.0'})
        const good: TarEntry[] = [{body: pjson, name: 'package/package.json'}, {body: '', name: 'package/index.js'}]
        writeFileSync(evil, entry === 'directory bomb' ? directoryBomb(good, 'package/dir', 2 ** 31) : tgz([...good, entry]))
        const before = snapshot(data)
        const r = run(['plugins', 'install', evil], data)
        assert.equal(r.status, 1, r.stderr)
        assert.ok(r.stderr.includes(evil), `names the archive: ${r.stderr}`)
        assert.match(r.stderr, message)
        assert.deepEqual(snapshot(data), before)
        assert.equal(existsSync('/tmp/dockerd-e2e-abs'), false)

        const fresh = join(t.dir, `fresh-${n}`)
        assert.equal(run(['plugins', 'install', evil], fresh).status, 1)
        assert.equal(existsSync(fresh), false, 'a data dir that did not exist is not created')
      })
    }

    it('refuses a package without an "oclif" key, naming the file', () => {
      const data = dataDirs()
      const plain = join(t.dir, 'plain-1.0.0.tgz')
      writeFileSync(plain, tgz([{body: JSON.stringify({name: 'plain', version: '1.0.0'}), name: 'package/package.json'}]))
      const r = run(['plugins', 'install', plain], data)
      assert.equal(r.status, 1)
      assert.match(r.stderr, new RegExp(`${plain.replaceAll(/[/.]/g, '\\$&')}: plain is not a dockerd plugin: its package.json has no "oclif" key`))
      assert.equal(existsSync(data), false)
      const missing = run(['plugins', 'install', './missing-1.0.0.tgz'], data)
      assert.equal(missing.status, 1)
      assert.match(missing.stderr, /missing-1\.0\.0\.tgz: no such file/)
    })

    it('unknown subcommands exit 1; `plugins --help` lists the subcommands', () => {
      const data = dataDirs()
      const bogus = run(['plugins', 'bogus'], data)
      assert.deepEqual([bogus.status, bogus.stdout, bogus.stderr], [1, '', 'unknown command "plugins bogus"\n'])
      const help = run(['plugins', '--help'], data)
      ok(help, 'plugins --help')
      assert.match(help.stdout, /\$ dockerd plugins/)
      for (const sub of ['install', 'link', 'uninstall']) assert.match(help.stdout, new RegExp(`^  plugins ${sub} `, 'm'))
      const installHelp = run(['plugins', 'install', '--help'], data)
      ok(installHelp, 'plugins install --help')
      assert.match(installHelp.stdout, /\$ dockerd plugins install PLUGIN/)
      // The forms that work here (offline archive and directory, npm names), not oclif's GitHub ones.
      for (const form of ['./dockerd-hello-1.0.0.tgz', './dockerd-hello', 'dockerd-hello', 'dockerd-hello@1.2.0']) {
        assert.match(installHelp.stdout, new RegExp(`\\$ dockerd plugins install ${form.replaceAll('.', '\\.')}\n`))
      }

      assert.match(installHelp.stdout, /plugins\s+link/)
      assert.doesNotMatch(installHelp.stdout, /github/i)
      assert.equal(existsSync(data), false, 'help writes nothing')
    })
  })
})
