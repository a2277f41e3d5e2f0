// Daemon benchmark, side by side in one run: our dockerd, a bare node:http "OK" server
// (bench/okserver.mjs) and, when /usr/sbin/dockerd exists (apt-get install docker.io), the real
// dockerd with flags that leave the host's network alone. For each:
//   ready  launch -> first 200 from GET /_ping on a unix socket (median of N launches)
//   cpu    server CPU time per /_ping at a fixed load: keep-alive, 10 in flight, REQUESTS requests
//   rss    idle RSS (process tree) 2 s after ready
// Usage: node bench/daemon.mjs [launches=9] [requests=20000]   (real dockerd needs root)
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const LAUNCHES = Number(process.argv[2] ?? 9)
const REQUESTS = Number(process.argv[3] ?? 20_000)
const IN_FLIGHT = 10
const TICK = 100 // USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

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

function cpuTicks(pid) {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12]) // utime + stime
}

function treeRssKiB(pid) {
  const children = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8')
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)])
    } catch {}
  }

  const rss = (p) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0)
  const walk = (p) => rss(p) + (children.get(p) ?? []).reduce((sum, c) => sum + walk(c), 0)
  return walk(pid)
}

async function launch(side, {load}) {
  const t = mkdtempSync(join(tmpdir(), 'db-'))
  const sock = join(t, 'd.sock')
  writeFileSync(join(t, 'daemon.json'), JSON.stringify(side.name === 'real dockerd' ? {'deprecated-key-path': join(t, 'key.json')} : {}))
  const [cmd, ...args] = side.args(t, sock)
  const t0 = process.hrtime.bigint()
  const child = spawn(cmd, args, {env: {...process.env, ...side.env(t)}, stdio: 'ignore'})
  let ready
  for (let i = 0; i < 2000; i++) {
    if ((await ping(sock)) === 200) {
      ready = Number(process.hrtime.bigint() - t0) / 1e6
      break
    }

    await sleep(5)
  }

  const out = {ready}
  if (load && ready !== undefined) {
    await sleep(2000)
    out.rssMiB = treeRssKiB(child.pid) / 1024
    const agent = new http.Agent({keepAlive: true, maxSockets: IN_FLIGHT})
    for (let i = 0; i < 200; i++) await ping(sock, agent) // warm up
    const before = cpuTicks(child.pid)
    let sent = 0
    let failed = 0
    const worker = async () => {
      while (sent < REQUESTS) {
        sent++
        if ((await ping(sock, agent)) !== 200) failed++
      }
    }

    const w0 = process.hrtime.bigint()
    await Promise.all(Array.from({length: IN_FLIGHT}, worker))
    out.wallMs = Number(process.hrtime.bigint() - w0) / 1e6
    out.cpuUsPerReq = ((cpuTicks(child.pid) - before) * (1e6 / TICK)) / REQUESTS
    out.failed = failed
    agent.destroy()
  }

  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  for (const m of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(t))) {
    spawnSync('umount', [m])
  }

  rmSync(t, {force: true, recursive: true})
  return out
}

console.log(`node ${process.version}; ${LAUNCHES} interleaved launches per side; load: ${REQUESTS} keep-alive GET /_ping, ${IN_FLIGHT} in flight\n`)
const ready = Object.fromEntries(sides.map((s) => [s.name, []]))
for (let i = 0; i < LAUNCHES; i++) for (const side of sides) ready[side.name].push((await launch(side, {load: false})).ready)
const loaded = {}
for (const side of sides) loaded[side.name] = await launch(side, {load: true})

const base = 'bare node:http'
console.log('| side | launch -> /_ping 200 (median ms) | ratio | CPU per /_ping (µs) | ratio | idle RSS (MiB) | failed |')
console.log('| --- | --- | --- | --- | --- | --- | --- |')
for (const side of sides) {
  const r = median(ready[side.name])
  const l = loaded[side.name]
  console.log(
    `| ${side.name} | ${r.toFixed(0)} | ${(r / median(ready[base])).toFixed(2)}x | ${l.cpuUsPerReq.toFixed(1)} | ${(l.cpuUsPerReq / loaded[base].cpuUsPerReq).toFixed(2)}x | ${l.rssMiB.toFixed(1)} | ${l.failed} |`,
  )
}
