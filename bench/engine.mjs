// Engine-backend benchmark, side by side in one run against ONE real upstream dockerd (started by
// test/helpers/engine.ts with private paths), reached:
//   direct   the docker CLI / HTTP client straight at the engine's socket
//   socat    through a plain byte pipe: socat UNIX-LISTEN:pipe.sock,fork UNIX-CONNECT:engine.sock
//            (socat's defaults: 8 KiB buffer, a child process per connection)
//   node pipe  bench/node-pipe.mjs: a byte pipe in Node, nothing parsed (requests only)
//   ours     through bin/run.js --engine-host unix://engine.sock (only when --help offers the flag)
//   ours-slow  the same with DOCKERD_ENGINE_FAST=0: every request through node:http's client
//   ours, front off  (BENCH_FRONT_OFF=1) the same with DOCKERD_FRONT=0 (no connection front)
// Measured, rounds interleaved across sides so machine-wide drift cancels out:
//   latency  GET /containers/json, keep-alive, 10 in flight: median and p99 per round
//   CPU      the front's CPU (process tree, /proc/<pid>/task/*/schedstat) per forwarded request; the engine's too
//   save     `docker save` of a 256 MiB image to /dev/null: MiB/s
//   run -i   256 MiB through `docker run -i --rm --network none mini:1 cat >/dev/null`: MiB/s
//   RSS      the front's process-tree RSS growth while 1 GiB goes through `docker run -i … cat`
// Usage: node bench/engine.mjs [requests=5000] [rounds=5] [streams=3]   (root; docker.io, socat)
// BENCH_DOCKERD_BIN=/other/checkout/bin/run.js measures another build of the daemon as (c).
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {register} from 'tsx/esm/api'

import {median, reapedNs, treeRssKiB} from './proc.mjs'
import {cpuNs, tree} from './raw.mjs'

register()
const {DOCKER_CLI, IMAGE, dockerCli, engineSkipReason, startEngine} = await import('../test/helpers/engine.ts')
const {isolatedEnv} = await import('../test/helpers/run.ts')

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = process.env.BENCH_DOCKERD_BIN ?? join(root, 'bin', 'run.js')
const REQUESTS = Number(process.argv[2] ?? 5000)
const ROUNDS = Number(process.argv[3] ?? 5)
const STREAMS = Number(process.argv[4] ?? 3)
const IN_FLIGHT = 10
const MiB = 1 << 20
const BIG = 256 * MiB
const HUGE = 1024 * MiB

/** CPU time of pid and its descendants, ns (schedstat: /proc/<pid>/stat counts in 10 ms ticks). */
const treeCpuNs = (pid) => tree(pid).reduce((sum, p) => sum + cpuNs(p) + reapedNs(p), 0)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const fail = (msg) => {
  console.error(`bench/engine.mjs: ${msg}`)
  process.exit(1)
}

const skip = engineSkipReason()
if (skip) fail(`cannot run a real engine here: ${skip}`)
const SOCAT = ['/usr/bin/socat', '/bin/socat'].find((p) => existsSync(p))
if (!SOCAT) fail('no socat (apt-get install socat)')

/** GET: the status, or the error's code (ECONNRESET, …) when there is no answer. */
function get(sock, path, agent) {
  return new Promise((resolve) => {
    const req = http.request({agent, path, socketPath: sock, timeout: 10_000}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', (error) => resolve(error.code ?? error.message))
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), {code: 'timeout after 10 s'})))
    req.end()
  })
}

async function waitPing(sock, proc, what) {
  for (let i = 0; i < 600; i++) {
    if ((await get(sock, '/_ping')) === 200) return
    if (proc.exitCode !== null || proc.signalCode !== null) fail(`${what} exited before answering /_ping`)
    await sleep(50)
  }

  fail(`${what} did not answer /_ping on ${sock} within 30 s`)
}

function stopProc(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
    proc.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    proc.kill('SIGTERM')
  })
}

// ---------------------------------------------------------------------------------------------
// The upstream, the big image, the fronts

const t0 = Date.now()
const engine = await startEngine()
const front = mkdtempSync('/tmp/df-')
const cliConfig = join(front, 'cli')
mkdirSync(cliConfig)
const procs = []
const cleanup = async () => {
  for (const p of procs) await stopProc(p)
  await engine.close()
  rmSync(front, {force: true, recursive: true})
}

process.on('SIGINT', () => cleanup().finally(() => process.exit(130)))

// A 256 MiB image of one random file, imported (no registry, no build network needed).
const big = join(front, 'big')
mkdirSync(big)
const mk = spawnSync('sh', ['-c', `head -c ${BIG} /dev/urandom > big.bin && tar -c big.bin | '${DOCKER_CLI}' -H '${engine.host}' import - big:1`], {cwd: big, encoding: 'utf8', env: {DOCKER_CONFIG: cliConfig, PATH: process.env.PATH}})
rmSync(big, {force: true, recursive: true})
if (mk.status !== 0) fail(`could not make the 256 MiB image: ${mk.stderr}`)

const sides = [{name: 'direct', pid: undefined, sock: engine.sock}]

const pipeSock = join(front, 'pipe.sock')
// backlog: socat's default of 5 makes the 10 connections opened at once fail with EAGAIN.
const socat = spawn(SOCAT, [`UNIX-LISTEN:${pipeSock},fork,backlog=128`, `UNIX-CONNECT:${engine.sock}`], {stdio: 'ignore'})
procs.push(socat)
await waitPing(pipeSock, socat, 'socat')
sides.push({name: 'socat', pid: socat.pid, sock: pipeSock})

// Node's floor for a relay: a byte pipe written in Node, nothing parsed.
const nodePipeSock = join(front, 'node-pipe.sock')
const nodePipe = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'node-pipe.mjs'), nodePipeSock, engine.sock], {stdio: 'ignore'})
procs.push(nodePipe)
await waitPing(nodePipeSock, nodePipe, 'node byte pipe')
sides.push({name: 'node pipe', pid: nodePipe.pid, requestsOnly: true, sock: nodePipeSock})

// The Node floor: a minimal node:http reverse proxy, to tell the daemon's own cost from node:http's.
const nodeSock = join(front, 'node-proxy.sock')
const nodeProxy = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'node-proxy.mjs'), nodeSock, engine.sock], {stdio: 'ignore'})
procs.push(nodeProxy)
await waitPing(nodeSock, nodeProxy, 'node-proxy')
// Requests only: it has no upgrade path, so `docker run -i` (attach) cannot go through it.
sides.push({name: 'node-proxy', pid: nodeProxy.pid, requestsOnly: true, sock: nodeSock})

const help = spawnSync(process.execPath, [BIN, '--help'], {encoding: 'utf8', env: isolatedEnv(front), timeout: 30_000})
/** Starts bin/run.js --engine-host in its own temp dir as side `name`, with `env` added. */
async function oursSide(name, env) {
  const dir = join(front, name.replace(/\W+/g, '-'))
  mkdirSync(dir)
  writeFileSync(join(dir, 'daemon.json'), '{}')
  const sock = join(dir, 'front.sock')
  const args = ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'), '--config-file', join(dir, 'daemon.json'), '-H', `unix://${sock}`, '--engine-host', engine.host]
  const proc = spawn(process.execPath, [BIN, ...args], {env: {...isolatedEnv(dir), ...env}, stdio: 'ignore'})
  procs.push(proc)
  await waitPing(sock, proc, `${BIN} --engine-host (${name})`)
  sides.push({name, pid: proc.pid, sock})
}

if (help.stdout?.includes('--engine-host')) {
  await oursSide('ours', {})
  // The same daemon with the forwarding fast path off (every request through node:http's client):
  // before/after in one run. Skipped with BENCH_NO_SLOW=1.
  if (process.env.BENCH_NO_SLOW !== '1') await oursSide('ours-slow', {DOCKERD_ENGINE_FAST: '0'})
  // With the connection front off (src/api/front.ts; it hands forwarded requests to node:http, so
  // this measures what the hand-over costs). BENCH_FRONT_OFF=1 adds it.
  if (process.env.BENCH_FRONT_OFF === '1') await oursSide('ours, front off', {DOCKERD_FRONT: '0'})
} else {
  console.log('(c) skipped: daemon has no --engine-host')
}

console.log(`node ${process.version}; upstream dockerd ${(await dockerCli(engine.host, ['version', '--format', '{{.Server.Version}}'])).stdout.trim()}; set-up ${((Date.now() - t0) / 1000).toFixed(1)} s`)
console.log(`latency/CPU: ${ROUNDS} rounds x ${REQUESTS} GET /containers/json, keep-alive, ${IN_FLIGHT} in flight; streams: ${STREAMS} runs each; all interleaved across sides\n`)

// ---------------------------------------------------------------------------------------------
// Latency and CPU per request

async function latencyRound(side) {
  const agent = new http.Agent({keepAlive: true, maxSockets: IN_FLIGHT})
  // Warm-up, IN_FLIGHT at a time: every keep-alive connection (and socat's child per connection)
  // exists before the measured requests.
  await Promise.all(Array.from({length: IN_FLIGHT}, async () => {
    for (let i = 0; i < 20; i++) await get(side.sock, '/containers/json', agent)
  }))
  const lat = []
  const failed = []
  let sent = 0
  const cpu0 = side.pid ? treeCpuNs(side.pid) : 0
  const eng0 = treeCpuNs(engine.pid)
  const worker = async () => {
    while (sent < REQUESTS) {
      sent++
      const t = process.hrtime.bigint()
      const status = await get(side.sock, '/containers/json', agent)
      if (status !== 200) failed.push(status)
      lat.push(Number(process.hrtime.bigint() - t) / 1000)
    }
  }

  await Promise.all(Array.from({length: IN_FLIGHT}, worker))
  const frontUs = side.pid ? (treeCpuNs(side.pid) - cpu0) / 1e3 / REQUESTS : undefined
  const engineUs = (treeCpuNs(engine.pid) - eng0) / 1e3 / REQUESTS
  agent.destroy()
  lat.sort((a, b) => a - b)
  return {engineUs, failed, frontUs, med: median(lat), p99: lat[Math.floor(lat.length * 0.99)]}
}

const lat = Object.fromEntries(sides.map((s) => [s.name, []]))
const failed = {}
for (let r = 0; r < ROUNDS; r++) {
  for (const side of sides) {
    const x = await latencyRound(side)
    for (const why of x.failed) failed[`${side.name}: ${why}`] = (failed[`${side.name}: ${why}`] ?? 0) + 1
    lat[side.name].push(x)
  }
}

// ---------------------------------------------------------------------------------------------
// Streams: docker save, docker run -i cat, RSS while 1 GiB passes

function docker(side, cmd, stdinBytes) {
  const cli = `'${DOCKER_CLI}' -H 'unix://${side.sock}'`
  const line = stdinBytes ? `head -c ${stdinBytes} /dev/zero | ${cli} ${cmd} >/dev/null` : `${cli} ${cmd} >/dev/null`
  return new Promise((resolve) => {
    const t = process.hrtime.bigint()
    const p = spawn('sh', ['-c', line], {env: {DOCKER_CLI_HINTS: 'false', DOCKER_CONFIG: cliConfig, PATH: process.env.PATH}, stdio: ['ignore', 'ignore', 'pipe']})
    let err = ''
    p.stderr.setEncoding('utf8').on('data', (d) => {
      err += d
    })
    p.once('close', (code) => {
      if (code !== 0) fail(`${side.name}: docker ${cmd} failed (${code}): ${err}`)
      resolve(Number(process.hrtime.bigint() - t) / 1e9)
    })
  })
}

const RUN_CAT = `run -i --rm --network none ${IMAGE} cat`
const save = Object.fromEntries(sides.map((s) => [s.name, []]))
const cat = Object.fromEntries(sides.map((s) => [s.name, []]))
const streamSides = sides.filter((s) => !s.requestsOnly)
for (let r = 0; r < STREAMS; r++) {
  for (const side of streamSides) {
    save[side.name].push(BIG / MiB / (await docker(side, 'save big:1')))
    cat[side.name].push(BIG / MiB / (await docker(side, RUN_CAT, BIG)))
  }
}

const rss = {}
for (const side of streamSides.filter((s) => s.pid)) {
  const base = treeRssKiB(side.pid)
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssKiB(side.pid))
  }, 50)
  await docker(side, RUN_CAT, HUGE)
  clearInterval(timer)
  rss[side.name] = {base: base / 1024, growth: (peak - base) / 1024}
}

await cleanup()

// ---------------------------------------------------------------------------------------------
// Report

const f = (x, d = 1) => (x === undefined ? '-' : x.toFixed(d))
const spread = (xs, d = 1) => `${f(Math.min(...xs), d)}-${f(Math.max(...xs), d)}`
const ratioTo = (name, baseName, pick) => (lat[baseName] ? median(lat[name].map((x, i) => pick(x) / pick(lat[baseName][i]))) : undefined)
const streamRatio = (table, name, baseName) => (table[baseName] ? median(table[name].map((x, i) => x / table[baseName][i])) : undefined)

console.log(`failed requests: ${JSON.stringify(failed)}; ratios are medians of per-round ratios (latency: higher is slower; throughput: lower is slower)\n`)
console.log('| side | latency median µs (spread) | p99 µs (spread) | vs direct | vs socat | front CPU µs/req (spread) | vs socat | vs node-proxy | engine (dockerd+containerd) CPU µs/req |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
for (const side of sides) {
  const xs = lat[side.name]
  const fronts = xs.map((x) => x.frontUs).filter((x) => x !== undefined)
  console.log(
    `| ${side.name} | ${f(median(xs.map((x) => x.med)))} (${spread(xs.map((x) => x.med))}) | ${f(median(xs.map((x) => x.p99)))} (${spread(xs.map((x) => x.p99))}) | ${f(ratioTo(side.name, 'direct', (x) => x.med), 2)}x | ${side.name === 'direct' ? '-' : `${f(ratioTo(side.name, 'socat', (x) => x.med), 2)}x`} | ${fronts.length ? `${f(median(fronts))} (${spread(fronts)})` : '-'} | ${side.pid ? `${f(streamRatio({[side.name]: fronts, socat: lat.socat.map((x) => x.frontUs)}, side.name, 'socat'), 2)}x` : '-'} | ${side.pid ? `${f(streamRatio({[side.name]: fronts, 'node-proxy': lat['node-proxy'].map((x) => x.frontUs)}, side.name, 'node-proxy'), 2)}x` : '-'} | ${f(median(xs.map((x) => x.engineUs)))} |`,
  )
}

console.log('\n| side | docker save 256 MiB, MiB/s (spread) | vs direct | vs socat | run -i cat 256 MiB, MiB/s (spread) | vs direct | vs socat | front RSS before -> growth over 1 GiB (MiB) |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
for (const side of streamSides) {
  const vs = (table, b) => (side.name === b ? '-' : `${f(streamRatio(table, side.name, b), 2)}x`)
  const r = rss[side.name]
  console.log(
    `| ${side.name} | ${f(median(save[side.name]))} (${spread(save[side.name])}) | ${vs(save, 'direct')} | ${vs(save, 'socat')} | ${f(median(cat[side.name]))} (${spread(cat[side.name])}) | ${vs(cat, 'direct')} | ${vs(cat, 'socat')} | ${r ? `${f(r.base)} -> +${f(r.growth)}` : '-'} |`,
  )
}
