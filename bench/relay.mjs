// CPU per forwarded request against a fixed-answer upstream, side by side in one run (issue 12's
// "forwarded GET /containers/json / a plain byte pipe" row, without a real engine's own noise):
//   socat             a plain byte pipe (UNIX-LISTEN,fork → UNIX-CONNECT), the target's yardstick
//   node:http alone   bench/okserver.mjs answering itself, no upstream: what node:http's server costs
//   node byte pipe    bench/node-pipe.mjs: socket to socket in Node, nothing parsed: Node's own floor for a relay
//   raw relay proto   bench/relay-proto.mjs: llhttp request head + the fast path's framing, no node:http
//   dockerd-ts        bin/run.js --engine-host unix://<upstream> (the connection front's relay)
//   dockerd-ts, front off   the same with DOCKERD_FRONT=0 (node:http's server, the engine's fast path)
// The upstream is a raw server answering every request head with the same small JSON answer.
// 10 keep-alive connections, one `GET /v1.41/containers/json` in flight on each, DURATION ms per
// round, ROUNDS interleaved rounds; CPU from /proc/<pid>/task/*/schedstat of each side's process tree.
// Usage: node bench/relay.mjs [rounds=5] [duration-ms=2000]
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {cpuNs, rawConnection, tree} from './raw.mjs'
import {fmt, rotate, sleep} from './stats.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = Number(process.argv[2] ?? 5)
const DURATION = Number(process.argv[3] ?? 2000)
const t = mkdtempSync(join(tmpdir(), 'relay-'))
const upSock = join(t, 'up.sock')
const BODY = '[]\n'
const ANSWER = `HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: Docker/28.0.0 (linux)\r\nDate: Wed, 02 Dec 2026 03:00:00 GMT\r\nContent-Length: ${BODY.length}\r\n\r\n`
const upstreamCode = `
const answer = Buffer.from(${JSON.stringify(ANSWER + BODY)}, 'latin1'), head = Buffer.from(${JSON.stringify(ANSWER)}, 'latin1')
require('node:net').createServer((s) => {
  let rest = ''
  s.on('data', (d) => {
    rest += d.toString('latin1')
    let i
    while ((i = rest.indexOf('\\r\\n\\r\\n')) >= 0) { s.write(rest.startsWith('HEAD ') ? head : answer); rest = rest.slice(i + 4) }
  })
  s.on('error', () => {})
}).listen(${JSON.stringify(upSock)})`
const upstream = spawn(process.execPath, ['-e', upstreamCode], {stdio: 'inherit'})
while (!existsSync(upSock)) await sleep(10)

const dockerd = (env) => (sock, dir) => {
  writeFileSync(join(dir, 'daemon.json'), '{}')
  return spawn(process.execPath, [join(root, 'bin', 'run.js'), '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'd.pid'), '-H', `unix://${sock}`, '--config-file', join(dir, 'daemon.json'), '--engine-host', `unix://${upSock}`], {env: {...process.env, DOCKERD_ROOTLESS: '1', HOME: dir, XDG_RUNTIME_DIR: join(dir, 'run'), ...env}, stdio: 'ignore'})
}

const SIDES = {
  socat: (sock) => spawn('socat', [`UNIX-LISTEN:${sock},fork,backlog=128`, `UNIX-CONNECT:${upSock}`], {stdio: 'ignore'}),
  'node:http alone': (sock) => spawn(process.execPath, [join(root, 'bench', 'okserver.mjs'), sock], {stdio: 'ignore'}),
  'node byte pipe': (sock) => spawn(process.execPath, [join(root, 'bench', 'node-pipe.mjs'), sock, upSock], {stdio: 'inherit'}),
  'raw relay proto': (sock) => spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'relay-proto.mjs'), sock, upSock], {cwd: root, stdio: 'inherit'}),
  'dockerd-ts': dockerd({}),
  'dockerd-ts, front off': dockerd({DOCKERD_FRONT: '0'}),
}
const BASE = 'socat'

const REQUEST = Buffer.from('GET /v1.41/containers/json HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.0.0 (linux)\r\n\r\n')
const treeCpuNs = (pid) => tree(pid).reduce((sum, p) => sum + cpuNs(p), 0)

async function load(side, ms) {
  const conns = await Promise.all(Array.from({length: 10}, () => rawConnection(side.sock, REQUEST)))
  for (const c of conns) for (let i = 0; i < 10; i++) await c.send()
  let count = 0
  let failed = 0
  let stop = false
  const before = treeCpuNs(side.child.pid)
  const timer = setTimeout(() => (stop = true), ms)
  await Promise.all(conns.map(async (c) => {
    while (!stop) (await c.send()) === 200 ? count++ : failed++
  }))
  const cpu = treeCpuNs(side.child.pid) - before
  clearTimeout(timer)
  for (const c of conns) c.close()
  return {failed, us: cpu / 1e3 / count}
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
console.log(`load average at the start: ${loadavg()}; node ${process.version}; ${ROUNDS} interleaved rounds of ${DURATION} ms, 10 keep-alive connections`)
const sides = []
for (const [name, start] of Object.entries(SIDES)) {
  const dir = mkdtempSync(join(t, 'side-'))
  const sock = join(dir, 's.sock')
  const child = start(sock, dir)
  const deadline = Date.now() + 20_000
  while (!existsSync(sock) && Date.now() < deadline) await sleep(10)
  sides.push({child, name, sock})
}
await sleep(1500)
for (const side of sides) await load(side, 1000) // warm-up
const cpu = Object.fromEntries(sides.map((s) => [s.name, []]))
let failed = 0
for (let r = 0; r < ROUNDS; r++) {
  for (const side of rotate(sides, r)) {
    const result = await load(side, DURATION)
    cpu[side.name].push(result.us)
    failed += result.failed
  }
}

for (const side of sides) side.child.kill('SIGTERM')
upstream.kill('SIGTERM')
await sleep(500)
rmSync(t, {force: true, recursive: true})
console.log(`load average at the end: ${loadavg()}; failed requests: ${failed}\n`)
console.log('| side | CPU per forwarded request, µs | ratio to socat |')
console.log('| --- | --- | --- |')
for (const side of sides) console.log(`| ${side.name} | ${fmt(cpu[side.name], 1)} | ${fmt(cpu[side.name].map((x, i) => x / cpu[BASE][i]), 2, '×')} |`)
