// RSS of the daemon around 1,000 `/events` subscribers: idle, after some load, with them open, and
// every second for a while after they left. With `--snapshot`, the daemon runs with
// `--heapsnapshot-signal=SIGUSR2` and a heap snapshot is taken at the end (V8 collects garbage
// before it writes one): the RSS after it, and the live objects of the kinds a subscriber makes,
// tell retained memory (a leak) from heap V8 has grown and not yet given back.
// With the subscribers open, 10,000 more `/_ping`s on 10 connections: the daemon's CPU for them
// (/proc, 10 ms ticks) tells what the memory policy's smaller young generation costs under load
// (compare with DOCKERD_MEMORY_POLICY=0, which turns the policy off).
// Usage: node bench/events-rss.mjs [subscribers=1000] [seconds-after=10] [--snapshot]
//        BENCH_NODE_FLAGS='--max-semi-space-size=1' node bench/events-rss.mjs   (node options for the daemon)
//        BENCH_ROOT=<another built checkout> measures that one
//        BENCH_DAEMON_ARGS='--engine-host unix:///run/docker.sock' node bench/events-rss.mjs
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = process.env.BENCH_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const SNAPSHOT = process.argv.includes('--snapshot')
const N = Number(args[0] ?? 1000)
const AFTER = Number(args[1] ?? 10)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
/** user + system CPU of `pid` in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024

const t = mkdtempSync(join(tmpdir(), 'er-'))
const sock = join(t, 'd.sock')
writeFileSync(join(t, 'daemon.json'), '{}')
// BENCH_NODE_FLAGS: node options for the daemon (e.g. `--max-semi-space-size=1`).
const node = [...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...(SNAPSHOT ? ['--heapsnapshot-signal=SIGUSR2'] : [])]
// BENCH_DAEMON_ARGS: more daemon options (e.g. `--engine-host unix:///run/docker.sock`).
const extra = process.env.BENCH_DAEMON_ARGS?.split(' ').filter(Boolean) ?? []
const child = spawn(process.execPath, [...node, join(root, 'bin', 'run.js'), ...extra, '--data-root', join(t, 'data'), '--exec-root', join(t, 'exec'), '--pidfile', join(t, 'docker.pid'), '-H', `unix://${sock}`, '--config-file', join(t, 'daemon.json')], {
  cwd: t,
  env: {...process.env, DOCKERD_ROOTLESS: '1', HOME: t, XDG_RUNTIME_DIR: join(t, 'run')},
  stdio: 'ignore',
})

/** Sends `request` on a new connection; resolves the socket once the response head arrived. */
function open(request) {
  return new Promise((resolve) => {
    const s = connect(sock)
    let buf = ''
    s.on('error', () => resolve(undefined))
    s.on('data', (d) => {
      buf += d.toString('latin1')
      if (buf.includes('\r\n\r\n')) resolve(s)
    })
    s.write(request)
  })
}

for (let i = 0; i < 3000 && !existsSync(sock); i++) await sleep(10)
await sleep(2000)
const idle = rssMiB(child.pid)
/** `n` pings on each of 10 connections, one at a time on each, the connections in parallel. */
async function pings(n) {
  await Promise.all(
    Array.from({length: 10}, async () => {
      const s = await open('GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n')
      for (let i = 0; i < n; i++) await new Promise((r) => (s.once('data', r), s.write('GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n')))
      s.destroy()
    }),
  )
}

// Some load first, as bench/daemon.mjs does: pings on 10 connections.
await pings(200)
await sleep(1000)
const loaded = rssMiB(child.pid)
const subs = []
for (let i = 0; i < N; i += 50) subs.push(...(await Promise.all(Array.from({length: Math.min(50, N - i)}, () => open('GET /events HTTP/1.1\r\nHost: docker\r\n\r\n')))))
await sleep(1000)
const subscribed = rssMiB(child.pid)
const cpu0 = cpuMs(child.pid)
await pings(1000)
const pingCpu = cpuMs(child.pid) - cpu0
const subscribedAfterPings = rssMiB(child.pid)
for (const s of subs) s?.destroy()
const after = []
for (let i = 0; i < AFTER; i++) {
  await sleep(1000)
  after.push(rssMiB(child.pid))
}

let snap
if (SNAPSHOT) {
  child.kill('SIGUSR2')
  for (let i = 0; i < 600 && !snap; i++) {
    await sleep(100)
    const f = readdirSync(t).find((n) => n.endsWith('.heapsnapshot'))
    // Written when the next file's size stops changing.
    if (f) {
      const a = readFileSync(join(t, f)).length
      await sleep(500)
      if (readFileSync(join(t, f)).length === a && a > 0) snap = join(t, f)
    }
  }
}

const f = (x) => x.toFixed(1)
console.log(`${N} subscribers (${subs.filter(Boolean).length} got their head)`)
console.log(`idle ${f(idle)} MiB; after load ${f(loaded)}; with subscribers ${f(subscribed)} (+${f(subscribed - loaded)}); after 10,000 pings with them ${f(subscribedAfterPings)}, daemon CPU ${pingCpu} ms (${f((pingCpu * 1000) / 10_000)} µs per ping)`)
console.log(`after they left, each second: ${after.map(f).join(', ')} (3 s: +${f(after[2] - loaded)} over after-load, +${f(after[2] - idle)} over idle)`)
if (snap) {
  await sleep(1000)
  console.log(`after a heap snapshot (full GC): ${f(rssMiB(child.pid))} MiB`)
  const s = JSON.parse(readFileSync(snap, 'utf8'))
  const fields = s.snapshot.meta.node_fields
  const width = fields.length
  const types = s.snapshot.meta.node_types[0]
  const nameAt = fields.indexOf('name')
  const typeAt = fields.indexOf('type')
  const sizeAt = fields.indexOf('self_size')
  const byName = new Map()
  let total = 0
  for (let i = 0; i < s.nodes.length; i += width) {
    const name = types[s.nodes[i + typeAt]] === 'object' ? s.strings[s.nodes[i + nameAt]] : `(${types[s.nodes[i + typeAt]]})`
    const e = byName.get(name) ?? {count: 0, size: 0}
    e.count++
    e.size += s.nodes[i + sizeAt]
    total += s.nodes[i + sizeAt]
    byName.set(name, e)
  }

  console.log(`live heap ${f(total / 1048576)} MiB; largest kinds:`)
  for (const [name, e] of [...byName].sort((a, b) => b[1].size - a[1].size).slice(0, 12)) console.log(`  ${name}: ${e.count} objects, ${f(e.size / 1024)} KiB`)
  for (const name of ['Socket', 'GoResponse', 'IncomingMessage', 'HTTPParser', 'LazyAbort', 'AbortController', 'TCPWrap', 'Pipe']) console.log(`  ${name}: ${byName.get(name)?.count ?? 0}`)
}

child.kill('SIGTERM')
await new Promise((r) => child.once('exit', r))
rmSync(t, {force: true, recursive: true})
