// Daemon benchmark, side by side in one run: our dockerd, a bare node:http "OK" server
// (bench/okserver.mjs) and, when /usr/sbin/dockerd exists and we are root, the real dockerd on
// private temp paths with flags that leave the host's network alone. For each side:
//   ready   launch -> first 200 from GET /_ping on a unix socket; LAUNCHES interleaved rounds
//           (the order rotated each round), ratio = per-round ratio to the bare server
//   cpu     server CPU per /_ping at a fixed load: CONNS keep-alive connections, one request in
//           flight on each, for a fixed DURATION per round, ROUNDS rounds interleaved across sides.
//           CPU is the sum of /proc/<pid>/task/*/schedstat (nanoseconds, not the 10 ms ticks of
//           /proc/<pid>/stat), so the clock's resolution is negligible. The client is a raw-socket
//           loop, cheap enough that the server, not the client, is what the load measures.
//   rss     the server's process tree (the real dockerd's includes its containerd) 2 s after
//           ready; with SUBSCRIBERS open GET /events streams; and 3 s after they all left.
// Every figure: median with IQR and min–max over the rounds.
// Usage: node bench/daemon.mjs [launches=11] [duration-ms=3000] [rounds=5] [subscribers=1000]
// BENCH_COMPARE=<dir of another built checkout> adds its daemon as a side (before/after in one run).
// With the engine plugin configured: when a real upstream can run here (root, docker.io; see
// test/helpers/engine.ts), one is started once for the whole run and every dockerd-ts side gets a
// twin started with `--engine-host unix://<its socket>` (launch → /_ping, CPU per /_ping and idle
// RSS; no /events subscribers: those streams are the upstream's). BENCH_ENGINE=0 leaves it out.
// A side "dockerd-ts, front off" runs the same build with DOCKERD_FRONT=0 (BENCH_FRONT=0 leaves it out).
// BENCH_READY_ONLY=1 measures launch → /_ping only (no load, RSS or subscriber rounds).
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {cpuNs, rawConnection, rssKiB, tree} from './raw.mjs'
import {fmt, rotate, sleep} from './stats.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const LAUNCHES = Number(process.argv[2] ?? 11)
const DURATION = Number(process.argv[3] ?? 3000)
const ROUNDS = Number(process.argv[4] ?? 5)
const SUBSCRIBERS = Number(process.argv[5] ?? 1000)
const CONNS = 10
const BASE = 'bare node:http'

const ours = (name, dir, extraEnv = {}) => ({
  args: (t, sock) => [
    process.execPath,
    join(dir, 'bin', 'run.js'),
    '--data-root', join(t, 'data'), '--exec-root', join(t, 'exec'), '--pidfile', join(t, 'docker.pid'),
    '-H', `unix://${sock}`, '--config-file', join(t, 'daemon.json'),
  ],
  env: (t) => ({DOCKERD_ROOTLESS: '1', HOME: t, XDG_RUNTIME_DIR: join(t, 'run'), ...extraEnv}),
  events: true,
  name,
})
const sides = [ours('dockerd-ts', root), {args: (_t, sock) => [process.execPath, join(root, 'bench', 'okserver.mjs'), sock], env: () => ({}), events: false, name: BASE}]
// The same build with the connection front off (src/api/front.ts): every request through node:http.
if (process.env.BENCH_FRONT !== '0') sides.push(ours('dockerd-ts, front off', root, {DOCKERD_FRONT: '0'}))
if (process.env.BENCH_COMPARE) sides.push(ours(`dockerd-ts at ${process.env.BENCH_COMPARE}`, process.env.BENCH_COMPARE))
let engine
if (process.env.BENCH_ENGINE !== '0') {
  const {register} = await import('tsx/esm/api')
  register()
  const {engineSkipReason, startEngine} = await import('../test/helpers/engine.ts')
  const skip = engineSkipReason()
  if (skip) console.log(`engine plugin sides left out: ${skip}`)
  else {
    engine = await startEngine()
    for (const side of sides.filter((s) => s.events)) {
      sides.push({...side, args: (t, sock) => [...side.args(t, sock), '--engine-host', engine.host], events: false, name: `${side.name}, engine plugin`})
    }
  }
}

const READY_ONLY = process.env.BENCH_READY_ONLY === '1'
if (existsSync('/usr/sbin/dockerd') && process.getuid?.() === 0) {
  sides.push({
    args: (t, sock) => [
      '/usr/sbin/dockerd', '-H', `unix://${sock}`,
      '--data-root', join(t, 'data'), '--exec-root', join(t, 'exec'), '--pidfile', join(t, 'engine.pid'),
      '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs', '--config-file', join(t, 'daemon.json'),
    ],
    env: () => ({}),
    events: true,
    name: 'real dockerd',
  })
}

/** One GET /_ping on a new connection; 0 when it fails or has no answer within `timeoutMs`. */
async function ping(sock, timeoutMs = 100) {
  try {
    const c = await rawConnection(sock)
    const status = await Promise.race([c.send(), sleep(timeoutMs).then(() => 0)])
    c.close()
    return status
  } catch {
    return 0
  }
}

/** RSS of pid and all its descendants, in MiB. */
const treeRssMiB = (pid) => tree(pid).reduce((sum, p) => sum + rssKiB(p), 0) / 1024

/** CPU time of pid and all its descendants, in ms. */
const treeCpuMs = (pid) => tree(pid).reduce((sum, p) => sum + cpuNs(p), 0) / 1e6

/** Starts one side on a fresh temp dir; resolves once /_ping answers 200. */
async function start(side) {
  const t = mkdtempSync(join(tmpdir(), 'db-'))
  const sock = join(t, 'd.sock')
  writeFileSync(join(t, 'daemon.json'), '{}')
  const [cmd, ...args] = side.args(t, sock)
  const t0 = process.hrtime.bigint()
  const child = spawn(cmd, args, {env: {...process.env, ...side.env(t)}, stdio: 'ignore'})
  let exited = false
  child.once('exit', () => (exited = true))
  let ready
  let readyCpu
  const deadline = Date.now() + 30_000
  while (ready === undefined && !exited && Date.now() < deadline) {
    // A stat per millisecond until the socket exists: cheaper for the side starting than pings.
    if (existsSync(sock) && (await ping(sock)) === 200) {
      ready = Number(process.hrtime.bigint() - t0) / 1e6
      readyCpu = treeCpuMs(child.pid)
    } else await sleep(1)
  }

  if (ready === undefined) throw new Error(`${side.name} did not answer /_ping (exited: ${exited})`)
  const stop = async () => {
    child.kill('SIGTERM')
    await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r()))
    for (const m of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(t))) {
      spawnSync('umount', [m])
    }

    rmSync(t, {force: true, recursive: true})
  }

  return {child, ready, readyCpu, sock, stop}
}

/** Server CPU µs per /_ping over `ms` of load on CONNS connections. */
async function load(server, ms) {
  const conns = await Promise.all(Array.from({length: CONNS}, () => rawConnection(server.sock)))
  for (const c of conns) for (let i = 0; i < 20; i++) await c.send()
  let count = 0
  let failed = 0
  let stop = false
  const before = cpuNs(server.child.pid)
  const timer = setTimeout(() => (stop = true), ms)
  await Promise.all(
    conns.map(async (c) => {
      while (!stop) {
        if ((await c.send()) === 200) count++
        else failed++
      }
    }),
  )
  const cpu = cpuNs(server.child.pid) - before
  clearTimeout(timer)
  for (const c of conns) c.close()
  return {count, cpuUs: cpu / 1e3 / count, failed}
}

/** Opens n GET /events streams; resolves them once each has its response head (or 10 s passed). */
async function subscribe(sock, n) {
  const conns = []
  let ok = 0
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({length: Math.min(50, n - i)}, async () => {
        const c = await rawConnection(sock)
        const status = await Promise.race([c.send(Buffer.from('GET /events HTTP/1.1\r\nHost: docker\r\n\r\n'), true), sleep(10_000).then(() => -1)])
        if (status === 200) ok++
        return c
      }),
    )
    conns.push(...batch)
  }

  return {close: () => conns.forEach((c) => c.close()), ok}
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
console.log(`load average at the start: ${loadavg()}`)
console.log(`node ${process.version}; sides: ${sides.map((s) => s.name).join(', ')}`)
console.log(`ready: ${LAUNCHES} interleaved launches per side; CPU: ${ROUNDS} interleaved rounds of ${DURATION} ms, ${CONNS} keep-alive connections\n`)
const ready = Object.fromEntries(sides.map((s) => [s.name, []]))
const readyCpu = Object.fromEntries(sides.map((s) => [s.name, []]))
for (let i = 0; i < LAUNCHES + 1; i++) {
  for (const side of rotate(sides, i)) {
    const server = await start(side)
    if (i > 0) {
      // The first round warms the page cache.
      ready[side.name].push(server.ready)
      readyCpu[side.name].push(server.readyCpu)
    }
    await server.stop()
  }
}

const ratios = (xs, base) => xs.map((x, i) => x / base[i])
const readyTable = () => {
  console.log('| side | launch → /_ping 200, ms | ratio to bare node:http | CPU until then (process tree), ms | ratio |')
  console.log('| --- | --- | --- | --- | --- |')
  for (const side of sides) {
    const n = side.name
    console.log(`| ${n} | ${fmt(ready[n], 0)} | ${fmt(ratios(ready[n], ready[BASE]), 2, '×')} | ${fmt(readyCpu[n], 0)} | ${fmt(ratios(readyCpu[n], readyCpu[BASE]), 2, '×')} |`)
  }
}

if (READY_ONLY) {
  await engine?.close()
  console.log(`load average at the end: ${loadavg()}\n`)
  readyTable()
  process.exit(0)
}

// One long-running instance per side: idle RSS, then the load rounds, then the subscribers.
const servers = {}
for (const side of sides) servers[side.name] = await start(side)
await sleep(2000)
const rss = Object.fromEntries(sides.map((s) => [s.name, {idle: treeRssMiB(servers[s.name].child.pid)}]))
for (const side of sides) await load(servers[side.name], 2000) // warm up: JIT, buffers
const cpu = Object.fromEntries(sides.map((s) => [s.name, []]))
const counts = Object.fromEntries(sides.map((s) => [s.name, 0]))
let failed = 0
for (let r = 0; r < ROUNDS; r++) {
  for (const side of rotate(sides, r)) {
    const result = await load(servers[side.name], DURATION)
    cpu[side.name].push(result.cpuUs)
    counts[side.name] += result.count
    failed += result.failed
  }
}

for (const side of sides.filter((s) => s.events && SUBSCRIBERS > 0)) {
  const server = servers[side.name]
  rss[side.name].loaded = treeRssMiB(server.child.pid)
  const subs = await subscribe(server.sock, SUBSCRIBERS)
  await sleep(1000)
  rss[side.name].subscribed = treeRssMiB(server.child.pid)
  rss[side.name].ok = subs.ok
  subs.close()
  await sleep(3000)
  rss[side.name].left = treeRssMiB(server.child.pid)
}

for (const server of Object.values(servers)) await server.stop()
await engine?.close()

console.log(`load average at the end: ${loadavg()}`)
console.log(`failed requests: ${failed}; requests per side: ${sides.map((s) => `${s.name} ${counts[s.name]}`).join(', ')}\n`)
readyTable()

console.log('\n| side | CPU per /_ping, µs | ratio to bare node:http |')
console.log('| --- | --- | --- |')
for (const side of sides) {
  const n = side.name
  console.log(`| ${n} | ${fmt(cpu[n], 1)} | ${fmt(ratios(cpu[n], cpu[BASE]), 2, '×')} |`)
}

console.log(`\n| side | idle RSS, MiB | after the load | with ${SUBSCRIBERS} /events subscribers | 3 s after they left |`)
console.log('| --- | --- | --- | --- | --- |')
for (const side of sides) {
  const r = rss[side.name]
  const f = (x) => (x === undefined ? 'n/a' : x.toFixed(1))
  const subs = r.subscribed === undefined ? 'n/a' : `${f(r.subscribed)} (+${(r.subscribed - r.loaded).toFixed(1)}; ${r.ok} streams open)`
  console.log(`| ${side.name} | ${f(r.idle)} | ${f(r.loaded)} | ${subs} | ${f(r.left)} |`)
}
