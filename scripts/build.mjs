// Build: TypeScript -> lib/, version stamp, oclif manifest, generated docs (JSON Schemas).
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {WRAPPER} = createRequire(import.meta.url)('../bin/load-bundle.js')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const run = (cmd, args, env = {}) => execFileSync(cmd, args, {cwd: root, env: {...process.env, ...env}, stdio: 'inherit'})

rmSync(join(root, 'lib'), {force: true, recursive: true})
run(bin('tsc'), ['-p', 'tsconfig.json'])

// bin/run.js's own start (src/entry.ts), the plain daemon start (its fast path) and everything
// oclif loads by path (hooks, help, command: src/oclif-entry.ts) each load one bundled module
// instead of up to ~60: the ESM loader's per-module cost is most of what is left of start-up.
// Same sources; lib/ keeps the modules too.
// `split`: more entry points (out name → module) built with it, shared and lazily imported code in
// chunks beside them in lib/ (where import.meta.url finds the same files as a bundle's), so every
// module is evaluated once, whichever entry loads it first.
const bundle = (entry, out, {format = ['--format=esm'], split} = {}) =>
  run(bin('esbuild'), [
    ...(split ? Object.entries({[out]: entry, ...split}).map(([o, e]) => `${o.replace(/\.js$/, '')}=${join(root, 'lib', e)}`) : [join(root, 'lib', entry)]),
    '--bundle', ...format, '--platform=node', '--target=node20', '--log-level=warning',
    '--external:@oclif/core', '--external:prom-client', '--external:debug',
    ...(split ? ['--splitting', `--outdir=${join(root, 'lib')}`, '--chunk-names=[name]-[hash]'] : [`--outfile=${join(root, 'lib', out)}`]),
  ])
// What bin/run.js loads itself (its loadBundle()) is CommonJS, so that no start before oclif's
// starts Node's ES module loader, and compiled with a V8 code cache written here
// (scripts/code-cache.mjs; Node 20 has no compile cache). import.meta.url is the bundle's own
// URL, as it was for the ES module bundle.
// Minified: V8 keeps a script's source for as long as it runs, and the source of lib/ has comments
// with non-Latin-1 characters, which made the whole bundle a two-byte string: 0.8 MB of heap for
// fast-start, 0.2 MB minified and ASCII. No JS stack trace reaches a user, and no code reads a
// function's or a class's name (a function logged as a field would show its short name); the
// unminified modules stay in lib/ for a debugger.
// The bundle is written as the function expression bin/load-bundle.js compiles (WRAPPER there), so
// that V8 gets the file's text as it was read, not a concatenated copy of it.
const commonJs = (name) => {
  const out = `${name}.bundle.cjs`
  bundle(`${name}.js`, out, {
    format: [
      '--format=cjs', '--minify', '--charset=ascii',
      '--define:import.meta.url=__bundle_url', `--banner:js=var __bundle_url = require('node:url').pathToFileURL(__filename).href;`,
    ],
  })
  // import() of a builtin: require() as a namespace, without starting the ES module loader for it.
  // Any other import() (prom-client, lib/ modules by path) goes through bin/load-bundle.js's
  // importModule: a vm.Script whose code came from a cache has no import() of its own.
  const file = join(root, 'lib', out)
  const text = readFileSync(file, 'utf8')
    .replaceAll(/\bimport\((['"])(node:[\w/]+)\1\)/g, (_, q, id) => `Promise.resolve().then(() => ((m) => ({...m, default: m}))(require(${q}${id}${q})))`)
    .replaceAll(/\bimport\(/g, 'importModule(')
  // bin/load-bundle.js reads it as Latin-1 (a one-byte string, no UTF-8 decoding): ASCII only.
  if (/[^\0-\x7f]/.test(text)) throw new Error(`lib/${out}: a character outside ASCII left in the bundle`)
  writeFileSync(file, WRAPPER[0] + text + WRAPPER[1])
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'code-cache.mjs'), join(root, 'lib', out)], {cwd: root, encoding: 'utf8', timeout: 60_000})
  if (r.status !== 0) throw new Error(`scripts/code-cache.mjs lib/${out}: ${r.error?.message ?? `exit ${r.status ?? r.signal}`}\n${r.stdout}${r.stderr}`)
  process.stdout.write(r.stdout)
}
commonJs('entry')
commonJs('fast-start')
bundle('oclif-entry.js', 'oclif.bundle.js', {split: {'command.bundle.js': 'commands/dockerd.js'}})

// SO_PEERCRED for unix callers' uid/gid (src/native/peercred.c): optional. Without a C compiler or
// Node's headers the daemon works the same, and says uid unknown.
{
  const headers = join(dirname(dirname(process.execPath)), 'include', 'node')
  const out = join(root, 'lib', 'native', 'peercred.node')
  if (process.platform === 'linux' && existsSync(join(headers, 'node_api.h'))) {
    mkdirSync(dirname(out), {recursive: true})
    try {
      execFileSync(process.env.CC || 'cc', ['-shared', '-fPIC', '-O2', '-DNODE_GYP_MODULE_NAME=peercred', `-I${headers}`, '-o', out, join(root, 'src', 'native', 'peercred.c')], {cwd: root, stdio: ['ignore', 'ignore', 'pipe']})
    } catch (error) {
      process.stderr.write(`note: src/native/peercred.c not built (${error.code === 'ENOENT' ? 'no C compiler' : String(error.stderr ?? error.message).trim().split('\n')[0]}): unix callers' uid/gid will be unknown\n`)
    }
  } else {
    process.stderr.write(`note: src/native/peercred.c not built (no Node headers at ${headers}): unix callers' uid/gid will be unknown\n`)
  }
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
let commit = 'unknown'
try {
  commit = execFileSync('git', ['rev-parse', '--short=7', 'HEAD'], {cwd: root, stdio: ['ignore', 'pipe', 'ignore']}).toString().trim()
} catch {}
// The Engine API's BuildTime (`docker version`'s "Built:"), RFC 3339 as moby stamps it;
// SOURCE_DATE_EPOCH (reproducible builds) wins over the clock.
const epoch = Number(process.env.SOURCE_DATE_EPOCH)
const buildTime = new Date(Number.isInteger(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString()
writeFileSync(join(root, 'lib', 'build-info.json'), JSON.stringify({buildTime, commit, version: pkg.version}) + '\n')
// bin/run.js prints this for a plain --version without loading any module of lib/.
const {versionLine} = await import(join(root, 'lib', 'version.js'))
writeFileSync(join(root, 'lib', 'version-line.txt'), `${versionLine()}\n`)

// The manifest lets --help run without importing the command; DOCKERD_TARGET_OS picks its OS.
run(bin('oclif'), ['manifest'], {DOCKERD_TARGET_OS: process.env.DOCKERD_TARGET_OS ?? '', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'})

// --help as oclif renders it, per OS, for bin/run.js's fast --help (one small bundle, no oclif).
const {writeHelpModels} = await import('./help-model.mjs')
await writeHelpModels(root)
commonJs('help-fast')

const {optionTable} = await import(join(root, 'lib/options/index.js'))
const {daemonJsonSchema} = await import(join(root, 'lib/config/schema.js'))
mkdirSync(join(root, 'docs', 'schema'), {recursive: true})
for (const os of ['linux', 'windows', 'freebsd']) {
  const platform = os === 'windows' ? 'win32' : os
  const schema = daemonJsonSchema(optionTable(platform, []), platform)
  writeFileSync(join(root, 'docs', 'schema', `daemon.${os}.json`), JSON.stringify(schema, null, 2) + '\n')
}
