// Daemon benchmark, side by side in one run: our dockerd, a bare node:http "OK" server
// (bench/okserver.mjs) and, when /usr/sbin/dockerd exists (apt-get install docker.io), the real
// dockerd with flags that leave the host's network alone. For each:
//   ready  launch -> first 200 from GET /_ping on a unix socket (median of N launches)
//   cpu    server CPU time per /_ping at a fixed load: keep-alive, 10 in flight, REQUESTS requests
//   rss    idle RSS (process tree) 2 s after ready
// Usage: node bench/daemon.mjs [launches=9] [requests=20000]   (real dockerd needs root)
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {TICK, cpuTicks, median, treeRssKiB} from './proc.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const LAUNCHES = Number(process.argv[2] ?? 9)
const REQUESTS = Number(process.argv[3] ?? 20_000)
const IN_FLIGHT = 10

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const sides = [
  {
    args: (t, sock) => [
      process.execPath,
      join(root, 'bin', 'run.js'),
      '--data-root', join(t, 'data'), '--exec-root', join(t, 'exec'), '--pidfile', join(t, 'docker.pid'),
      '-H', `unix://${sock}`, '--config-file', join(t, 'daemon.json'),
    ],
    env: (t) => ({DOCKERD_ROOTLESS: '1', HOME: t, XDG_RUNTIME_DIR: join(t, 'run')}),
    name: 'dockerd-ts',
  },
  {args: (_t, sock) => [process.execPath, join(root, 'bench', 'okserver.mjs'), sock], env: () => ({}), name: 'bare node:http'},
]
if (existsSync('/usr/sbin/dockerd') && process.getuid?.() === 0) {
  sides.push({
    args: (t, sock) => [
      '/usr/sbin/dockerd', '--iptables=false', '--ip-masq=false', '--bridge=none', '--ip-forward=false',
      '--data-root', join(t, 'data'), '--exec-root', join(t, 'exec'), '--pidfile', join(t, 'docker.pid'),
      '-H', `unix://${sock}`, '--config-file', join(t, 'daemon.json'),
    ],
    env: () => ({}),
    name: 'real dockerd',
  })
}

function ping(sock, agent) {
  return new Promise((resolve) => {
    const req = http.request({agent, method: 'GET', path: '/_ping', socketPath: sock, timeout: 1000}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', () => resolve(0))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

/** Starts one side on a fresh temp dir; resolves once /_ping answers 200. */
async function start(side) {
  const t = mkdtempSync(join(tmpdir(), 'db-'))
  const sock = join(t, 'd.sock')
  writeFileSync(join(t, 'daemon.json'), JSON.stringify(side.name === 'real dockerd' ? {'deprecated-key-path': join(t, 'key.json')} : {}))
  const [cmd, ...args] = side.args(t, sock)
  const t0 = process.hrtime.bigint()
  const child = spawn(cmd, args, {env: {...process.env, ...side.env(t)}, stdio: 'ignore'})
  let ready
  for (let i = 0; i < 2000 && ready === undefined; i++) {
    if ((await ping(sock)) === 200) ready = Number(process.hrtime.bigint() - t0) / 1e6
    else await sleep(5)
  }

  const stop = async () => {
    child.kill('SIGTERM')
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r()))
    for (const m of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(t))) {
      spawnSync('umount', [m])
    }

    rmSync(t, {force: true, recursive: true})
  }

  return {child, ready, sock, stop}
}

/** Server CPU µs per request for `count` keep-alive pings, IN_FLIGHT at a time. */
async function load(server, count) {
  const agent = new http.Agent({keepAlive: true, maxSockets: IN_FLIGHT})
  for (let i = 0; i < 200; i++) await ping(server.sock, agent) // warm up
  const before = cpuTicks(server.child.pid)
  let sent = 0
  let failed = 0
  const worker = async () => {
    while (sent < count) {
      sent++
      if ((await ping(server.sock, agent)) !== 200) failed++
    }
  }

  await Promise.all(Array.from({length: IN_FLIGHT}, worker))
  agent.destroy()
  return {cpuUs: ((cpuTicks(server.child.pid) - before) * (1e6 / TICK)) / count, failed}
}

console.log(`node ${process.version}; ${LAUNCHES} interleaved launches per side; load: ${REQUESTS} keep-alive GET /_ping, ${IN_FLIGHT} in flight\n`)
const ready = Object.fromEntries(sides.map((s) => [s.name, []]))
for (let i = 0; i < LAUNCHES; i++) {
  for (const side of sides) {
    const server = await start(side)
    ready[side.name].push(server.ready)
    await server.stop()
  }
}

// One long-running instance per side: idle RSS, then load rounds interleaved across sides.
const ROUNDS = 5
const servers = {}
for (const side of sides) servers[side.name] = await start(side)
await sleep(2000)
const rss = Object.fromEntries(sides.map((s) => [s.name, treeRssKiB(servers[s.name].child.pid) / 1024]))
const cpu = Object.fromEntries(sides.map((s) => [s.name, []]))
let failed = 0
for (let r = 0; r < ROUNDS; r++) {
  for (const side of sides) {
    const result = await load(servers[side.name], Math.ceil(REQUESTS / ROUNDS))
    cpu[side.name].push(result.cpuUs)
    failed += result.failed
  }
}

for (const server of Object.values(servers)) await server.stop()

const base = 'bare node:http'
console.log(`launch: median of ${LAUNCHES}; CPU: ${ROUNDS} interleaved rounds, ratio = median of per-round ratios; failed requests: ${failed}\n`)
console.log('| side | launch -> /_ping 200 (median ms) | ratio | CPU per /_ping (µs, median) | ratio | idle RSS (MiB) |')
console.log('| --- | --- | --- | --- | --- | --- |')
for (const side of sides) {
  const r = median(ready[side.name])
  const ratios = cpu[side.name].map((c, i) => c / cpu[base][i])
  console.log(
    `| ${side.name} | ${r.toFixed(0)} | ${(r / median(ready[base])).toFixed(2)}x | ${median(cpu[side.name]).toFixed(1)} | ${median(ratios).toFixed(2)}x | ${rss[side.name].toFixed(1)} |`,
  )
}
