// docs/: the generated files are up to date, machine-independent, and the man page renders cleanly.
// Regenerates with the BUILT lib/ (npm test builds first) through scripts/docs.mjs into temp dirs.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, describe, it} from 'node:test'

import {commandMarkdown, code, cell} from '../../src/docs/markdown.js'
import {manPage, roff} from '../../src/docs/man.js'
import {docModel, type ModelInput} from '../../src/docs/model.js'
import {extractDeclarations} from '../../src/docs/plugins.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const DOCS = join(ROOT, 'docs')
const SCRIPT = join(ROOT, 'scripts', 'docs.mjs')
const BUILT = existsSync(join(ROOT, 'lib', 'docs', 'model.js')) && existsSync(join(ROOT, 'oclif.manifest.json'))

const temps: string[] = []
after(() => {
  for (const t of temps) rmSync(t, {force: true, recursive: true})
})

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockerd-docs-'))
  temps.push(dir)
  return dir
}

function files(dir: string, base = dir): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? files(p, base) : [relative(base, p)]
    })
    .sort()
}

function generate(env: NodeJS.ProcessEnv = process.env): string {
  const out = temp()
  const r = spawnSync(process.execPath, [SCRIPT, '--out', out], {encoding: 'utf8', env, timeout: 60_000})
  assert.equal(r.status, 0, `scripts/docs.mjs failed: ${r.stderr}`)
  return out
}

/** The first line where two texts differ, for a message a person can act on. */
function firstDifference(want: string, got: string): string {
  const a = want.split('\n')
  const b = got.split('\n')
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  generated: ${JSON.stringify(a[i])}\n  committed: ${JSON.stringify(b[i])}`
  }

  return 'identical'
}

describe('docs/ generated files', {skip: BUILT ? false : 'lib/ is not built: run `npm run build`'}, () => {
  it('are up to date with the option table (run `npm run docs` when this fails)', () => {
    const out = generate()
    const generated = files(out)
    assert.ok(generated.includes('dockerd.linux.md') && generated.includes('dockerd.8') && generated.includes('plugins.md'), `generated: ${generated.join(', ')}`)
    const stale: string[] = []
    for (const name of generated) {
      const committed = join(DOCS, name)
      const want = readFileSync(join(out, name), 'utf8')
      if (!existsSync(committed)) stale.push(`docs/${name} is missing`)
      else if (readFileSync(committed, 'utf8') !== want) stale.push(`docs/${name} is stale, ${firstDifference(want, readFileSync(committed, 'utf8'))}`)
    }

    assert.deepEqual(stale, [], `docs/ differs from what \`npm run docs\` generates:\n${stale.join('\n')}`)
  })

  it('do not depend on who generates them (user, HOME, XDG dirs, PATH, rootless mode)', () => {
    const reference = generate()
    // A docker-proxy on PATH would change --userland-proxy-path's default if the environment leaked.
    const bin = temp()
    writeFileSync(join(bin, 'docker-proxy'), '#!/bin/sh\n')
    chmodSync(join(bin, 'docker-proxy'), 0o755)
    const home = temp()
    mkdirSync(join(home, 'run'))
    const hostile = generate({
      DOCKER_CERT_PATH: join(home, 'certs'),
      DOCKERD_ROOTLESS: '1',
      HOME: home,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      ProgramData: 'D:\\Data',
      XDG_CONFIG_HOME: join(home, 'cfg'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_RUNTIME_DIR: join(home, 'run'),
    })
    for (const name of files(reference)) {
      const a = readFileSync(join(reference, name), 'utf8')
      const b = readFileSync(join(hostile, name), 'utf8')
      assert.equal(b, a, `${name} depends on the environment, ${firstDifference(a, b)}`)
    }

    for (const name of files(reference)) {
      const text = readFileSync(join(reference, name), 'utf8')
      assert.ok(!text.includes(ROOT) && !text.includes(tmpdir() + '/'), `${name} names a path of this machine`)
      assert.doesNotMatch(text, /\b20\d\d-\d\d-\d\d\b/, `${name} carries a date`)
    }
  })

  it('the man page renders with groff -man without warnings', {skip: existsSync('/usr/bin/groff') ? false : 'groff is not installed'}, () => {
    const r = spawnSync('/usr/bin/groff', ['-man', '-Tutf8', '-ww', '-z', join(DOCS, 'dockerd.8')], {encoding: 'utf8'})
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr, '', 'groff warnings')
    const text = spawnSync('/usr/bin/groff', ['-man', '-Tascii', join(DOCS, 'dockerd.8')], {encoding: 'utf8', env: {...process.env, MANWIDTH: '80'}}).stdout
    const plain = text.replaceAll(/.\x08/g, '')
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'FILES', 'SIGNALS', 'SEE ALSO']) assert.match(plain, new RegExp(`^${section}$`, 'm'), section)
    assert.match(plain, /--data-root=string/)
    assert.match(plain, /Default:\s+"\/var\/lib\/docker"/)
  })

  it('the help text for an OS comes from the built CLI in the fixed environment', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--help-text', 'windows'], {encoding: 'utf8', env: {...process.env, HOME: '/somewhere'}})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /WINDOWS FLAGS/)
    assert.match(r.stdout, /--register-service/)
    assert.doesNotMatch(r.stdout, /--cgroup-parent/)
  })
})

describe('doc generators (pure)', () => {
  const input = (platform: ModelInput['platform'], env: NodeJS.ProcessEnv = {DOCKERD_ROOTLESS: '0', HOME: '/root', PATH: '/nonexistent'}): ModelInput => ({
    bin: 'dockerd',
    description: 'A self-sufficient runtime for containers.',
    env,
    platform,
    usage: '[OPTIONS]',
    version: '0.0.0',
  })

  it('roff escapes backslashes and every dash, and guards control characters at line start', () => {
    assert.equal(roff('--data-root'), '\\-\\-data\\-root')
    assert.equal(roff('C:\\ProgramData'), 'C:\\eProgramData')
    assert.equal(roff('.hidden\n\'quote\nplain'), "\\&.hidden\n\\&'quote\nplain")
  })

  it('markdown cells escape pipes; code spans survive backticks', () => {
    assert.equal(cell('"a"|"b"\nc'), '"a"\\|"b" c')
    assert.equal(code('a`b'), '``a`b``')
    assert.equal(code('`x'), '`` `x ``')
  })

  it('the Windows model has the service flags and no cgroup flags; Linux the reverse', () => {
    const names = (p: ModelInput['platform']) => docModel(input(p)).groups.flatMap((g) => g.options.map((o) => o.name))
    const win = names('win32')
    assert.ok(win.includes('register-service') && win.includes('service-name'))
    assert.ok(!win.includes('cgroup-parent') && !win.includes('run-service'), 'hidden and Linux-only flags are left out')
    const linux = names('linux')
    assert.ok(linux.includes('cgroup-parent') && !linux.includes('register-service'))
  })

  it('groups follow the help order; options are sorted by name within a group', () => {
    const m = docModel(input('linux'))
    assert.deepEqual(m.groups.slice(0, 4).map((g) => g.title), ['COMMON', 'DAEMON', 'UNIX', 'LINUX'])
    for (const g of m.groups) assert.deepEqual(g.options.map((o) => o.name), g.options.map((o) => o.name).sort())
  })

  it('defaults are the root ones and machine-dependent defaults are stated as rules', () => {
    const m = docModel(input('linux'))
    const opt = (name: string) => m.groups.flatMap((g) => g.options).find((o) => o.name === name)!
    assert.equal(opt('data-root').default, '"/var/lib/docker"')
    assert.equal(opt('data-root').key, 'data-root')
    assert.equal(opt('config-file').key, undefined)
    assert.equal(opt('http-proxy').key, 'proxies.http-proxy')
    assert.match(opt('default-cgroupns-mode').default!, /cgroup v2/)
    assert.match(opt('userland-proxy-path').default!, /PATH/)
    const md = commandMarkdown(m)
    assert.match(md, /^# dockerd on Linux$/m)
    assert.match(md, /^### LINUX FLAGS$/m)
    const man = manPage(m)
    assert.match(man, /^\.TH DOCKERD 8 "" /m)
    assert.match(man, /^\\fB\\-\\-data\\-root\\fR=\\fIstring\\fR$/m)
  })

  it('extractDeclarations quotes an interface with its doc comment, and names what it cannot find', () => {
    const src = 'import x from "y"\n\n/** A thing. */\nexport interface Thing {\n  a: string\n}\n\nexport type Kind =\n  | "a"\n  | "b"\n\nconst z = 1\n'
    assert.equal(extractDeclarations(src, ['Thing']), '/** A thing. */\nexport interface Thing {\n  a: string\n}')
    assert.equal(extractDeclarations(src, ['Kind']), 'export type Kind =\n  | "a"\n  | "b"')
    assert.throws(() => extractDeclarations(src, ['Missing'], 'f.ts'), /f\.ts: no exported interface or type Missing/)
  })
})
