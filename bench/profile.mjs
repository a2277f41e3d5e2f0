// Where the milliseconds of a start go: runs `dockerd --version`, `--help` and a daemon start
// (until its first /_ping 200, then SIGTERM) under `node --cpu-prof` and `strace -f -c`, and prints
// the CPU samples by what they were doing (module loading, compiling and running our bundles,
// oclif, node internals, GC) and the system calls by kind. Profiles are averaged over `runs` starts.
// Usage: node bench/profile.mjs [runs=5]    (BENCH_ROOT=<another built checkout> profiles that one;
// BENCH_CASE=<part of a case's name> runs only the matching cases; BENCH_PROFILES=<dir> keeps the
// .cpuprofile files there, one folder per case, for a closer look in DevTools)
import {spawn, spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {median, sleep} from './stats.mjs'

const root = process.env.BENCH_ROOT || join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.argv[2] ?? 5)

/** A CPU sample's category, from the function it was in. */
function category({functionName, url}) {
  if (functionName === '(garbage collector)') return 'GC'
  if (functionName === '(program)') return 'V8/native (parsing, compiling, bootstrap)'
  if (functionName === '(idle)') return 'idle (waiting: I/O, timers, child processes)'
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/vm')) return 'node: module loader'
  if (url.startsWith('node:')) return 'node: other internals'
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return `package: ${m[1]}`
  // Bundles bin/load-bundle.js compiles are named by path, ES modules by file:// URL.
  if (url.startsWith('file://') || url.startsWith('/')) return `ours: ${(url.startsWith('/') ? url : fileURLToPath(url)).slice(root.length + 1)}`
  return functionName ? `native: ${functionName}` : '(other)'
}

/** ms per category in one .cpuprofile. */
function breakdown(file) {
  const prof = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const ms = {}
  prof.samples.forEach((id, i) => {
    const c = category(byId.get(id).callFrame)
    ms[c] = (ms[c] ?? 0) + prof.timeDeltas[i] / 1000
  })
  ms['total (profiled)'] = (prof.endTime - prof.startTime) / 1000
  return ms
}

async function ping(sock) {
  return new Promise((resolve) => {
    const s = connect(sock)
    s.on('error', () => resolve(false))
    s.on('connect', () => s.write('GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n'))
    s.on('data', (d) => {
      resolve(d.toString().startsWith('HTTP/1.1 200'))
      s.destroy()
    })
    setTimeout(() => (s.destroy(), resolve(false)), 100)
  })
}

/** Runs one case, wrapped (cpu-prof or strace); a daemon case is stopped at its first /_ping 200. */
async function once(t, args, wrap, daemon) {
  const sock = join(t, 'd.sock')
  const argv = daemon
    ? [...args, '--data-root', join(t, 'data'), '--exec-root', join(t, 'exec'), '--pidfile', join(t, 'd.pid'), '-H', `unix://${sock}`, '--config-file', join(t, 'daemon.json')]
    : args
  writeFileSync(join(t, 'daemon.json'), '{}')
  const [cmd, ...rest] = wrap([process.execPath, join(root, 'bin', 'run.js'), ...argv])
  const child = spawn(cmd, rest, {env: {...process.env, DOCKERD_ROOTLESS: '1', HOME: t, XDG_RUNTIME_DIR: join(t, 'run')}, stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise((r) => child.on('exit', r))
  if (daemon) {
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline && !(existsSync(sock) && (await ping(sock)))) await sleep(2)
    // strace's child is the daemon; signal it, not strace.
    const pids = spawnSync('pgrep', ['-P', String(child.pid)], {encoding: 'utf8'}).stdout.split('\n').filter(Boolean).map(Number)
    for (const pid of cmd === 'strace' ? pids : [child.pid]) process.kill(pid, 'SIGTERM')
  }

  await exited
  return stderr
}

// A stand-in upstream engine for the engine plugin's case: answers every request as a dockerd
// answers HEAD /_ping (the probe a start makes); the daemon's CPU is what is profiled, not its.
const upstreamDir = mkdtempSync(join(tmpdir(), 'dprof-engine-'))
const upstreamSock = join(upstreamDir, 'engine.sock')
const upstream = createServer((s) => {
  s.on('error', () => {})
  s.on('data', () => s.write('HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nOstype: linux\r\nServer: Docker/20.10.24 (linux)\r\nContent-Length: 0\r\n\r\n'))
}).listen(upstreamSock)
upstream.unref()
process.on('exit', () => rmSync(upstreamDir, {force: true, recursive: true}))

const cases = [
  ['dockerd --version', ['--version'], false],
  ['dockerd --help', ['--help'], false],
  ['dockerd --help, DOCKERD_OCLIF=1', ['--help'], false, {DOCKERD_OCLIF: '1'}],
  ['daemon start → first /_ping 200', [], true],
  ['daemon start with the engine plugin (upstream up) → first /_ping 200', ['--engine-host', `unix://${upstreamSock}`], true],
]
const strace = spawnSync('strace', ['-V'], {stdio: 'ignore'}).status === 0
for (const [name, args, daemon, extra = {}] of cases.filter(([name]) => name.includes(process.env.BENCH_CASE ?? ''))) {
  Object.assign(process.env, extra)
  const profiles = []
  let calls = ''
  for (let i = 0; i < runs; i++) {
    const t = mkdtempSync(join(tmpdir(), 'dprof-'))
    const dir = join(t, 'prof')
    await once(t, args, ([node, ...rest]) => [node, '--cpu-prof', '--cpu-prof-dir', dir, ...rest], daemon)
    // One profile per process (the daemon's; a help run has just the one).
    for (const f of readdirSync(dir)) {
      profiles.push(breakdown(join(dir, f)))
      if (process.env.BENCH_PROFILES) {
        const keep = join(process.env.BENCH_PROFILES, name.replace(/[^\w-]+/g, '-'))
        mkdirSync(keep, {recursive: true})
        copyFileSync(join(dir, f), join(keep, `${i}-${f}`))
      }
    }
    if (strace && i === 0) {
      await once(t, args, (argv) => ['strace', '-f', '-c', '-o', join(t, 'strace.txt'), ...argv], daemon)
      calls = readFileSync(join(t, 'strace.txt'), 'utf8')
    }
    rmSync(t, {force: true, recursive: true})
  }

  for (const k of Object.keys(extra)) delete process.env[k]
  const keys = [...new Set(profiles.flatMap((p) => Object.keys(p)))]
  const rows = keys.map((k) => [k, median(profiles.map((p) => p[k] ?? 0))]).sort((a, b) => b[1] - a[1])
  console.log(`\n### ${name} (CPU profile, median of ${profiles.length} runs, ms)\n`)
  console.log('| what | ms |')
  console.log('| --- | --- |')
  for (const [k, v] of rows) if (v >= 0.5 || k.startsWith('total')) console.log(`| ${k} | ${v.toFixed(1)} |`)
  if (calls) {
    const lines = calls.split('\n').filter((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+/.test(l))
    const top = lines.map((l) => l.trim().split(/\s+/)).map((f) => [f.at(-1), Number(f[3])]).filter(([c]) => c !== 'total').sort((a, b) => b[1] - a[1])
    const total = top.reduce((s, [, n]) => s + n, 0)
    console.log(`\nsystem calls (strace -f -c, one run): ${total} in all; most: ${top.slice(0, 8).map(([c, n]) => `${c} ${n}`).join(', ')}`)
  }
}
