// Load and abuse benchmark (issue 10), side by side in one run: our dockerd and, when
// /usr/sbin/dockerd exists and we are root, the real dockerd (private temp paths, no network
// changes). Not part of `npm test`. For each side:
//   ping50     GET /_ping, keep-alive, 50 connections: req/s, p99
//   newconn    GET /_ping, a new connection per request, 50 in flight: req/s, p99
//   slowevents READERS /events subscribers that never read, then RELOADS SIGHUPs (each emits a
//              `daemon reload` event): RSS and fds before, at the end, and after they leave
//   tlsflood   FLOOD TCP connections to the --tlsverify port that never handshake: /_ping p99 on
//              the unix socket during the flood; RSS and fds before, during, after
// Usage: npm run build && node bench/load.mjs [requests=20000] [readers=300] [reloads=200] [flood=3000]
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import {join} from 'node:path'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const REQUESTS = Number(process.argv[2] ?? 20_000)
const READERS = Number(process.argv[3] ?? 300)
const RELOADS = Number(process.argv[4] ?? 200)
const FLOOD = Number(process.argv[5] ?? 3000)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function certs(dir) {
  const ssl = (args) => execFileSync('openssl', args, {cwd: dir, stdio: 'pipe'})
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  ssl(['req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bench-ca'])
  ssl(['req', '-new', ...ec, '-keyout', 'key.pem', '-out', 'server.csr', '-subj', '/CN=server'])
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'ext'])
  return {ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem')}
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address()
      s.close(() => resolve(port))
    })
  })
}

const sides = [
  {
    args: (d, c, port) => [process.execPath, join(root, 'bin', 'run.js'), '--data-root', `${d}/data`, '--exec-root', `${d}/exec`, '--pidfile', `${d}/d.pid`, '--config-file', `${d}/daemon.json`, '-H', `unix://${d}/d.sock`, '-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', c.ca, '--tlscert', c.cert, '--tlskey', c.key],
    env: (d) => ({DOCKERD_ROOTLESS: '1', HOME: d, PATH: process.env.PATH, XDG_RUNTIME_DIR: `${d}/run`}),
    name: 'dockerd-ts',
  },
]
if (existsSync('/usr/sbin/dockerd') && process.getuid?.() === 0) {
  sides.push({
    args: (d, c, port) => ['/usr/sbin/dockerd', '-H', `unix://${d}/d.sock`, '-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', c.ca, '--tlscert', c.cert, '--tlskey', c.key, '--data-root', `${d}/data`, '--exec-root', `${d}/exec`, '--pidfile', `${d}/d.pid`, '--config-file', `${d}/daemon.json`, '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs'],
    env: () => ({PATH: process.env.PATH}),
    name: 'real dockerd',
  })
}

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024
const fds = (pid) => readdirSync(`/proc/${pid}/fd`).length
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

function ping(sock, agent) {
  const t0 = process.hrtime.bigint()
  return new Promise((resolve) => {
    const req = http.request({agent, path: '/_ping', socketPath: sock, timeout: 5000}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200 ? Number(process.hrtime.bigint() - t0) / 1e6 : -1))
    })
    req.on('error', () => resolve(-1))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

/** `total` pings with `concurrency` in flight: req/s, p99 ms, failures. */
async function load(sock, total, concurrency, agent) {
  const lat = []
  let failed = 0
  let next = 0
  const t0 = Date.now()
  await Promise.all(
    Array.from({length: concurrency}, async () => {
      while (next++ < total) {
        const ms = await ping(sock, agent)
        if (ms < 0) failed++
        else lat.push(ms)
      }
    }),
  )
  return {failed, p99: pct(lat, 99), rps: Math.round((lat.length / (Date.now() - t0)) * 1000)}
}

async function ready(sock, proc, ms = 60_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error('exited during start')
    if ((await ping(sock, false)) >= 0) return
    await sleep(100)
  }

  throw new Error('not ready')
}

async function bench(side) {
  const d = mkdtempSync('/tmp/bl-')
  writeFileSync(join(d, 'daemon.json'), '{}')
  const c = certs(d)
  const port = await freePort()
  const [file, ...args] = side.args(d, c, port)
  const proc = spawn(file, args, {env: side.env(d), stdio: ['ignore', 'ignore', 'ignore']})
  const sock = join(d, 'd.sock')
  const out = {name: side.name}
  try {
    await ready(sock, proc)
    await sleep(1000)
    const pid = proc.pid
    out.idle = {fds: fds(pid), rss: rssMiB(pid)}
    await load(sock, 2000, 50, new http.Agent({keepAlive: true, maxSockets: 50})) // warm-up
    out.ping50 = await load(sock, REQUESTS, 50, new http.Agent({keepAlive: true, maxSockets: 50}))
    out.newconn = await load(sock, Math.round(REQUESTS / 4), 50, false)

    // Slow event readers.
    const readers = []
    for (let i = 0; i < READERS; i++) {
      const s = net.connect(sock, () => s.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n'))
      s.on('error', () => {})
      s.pause()
      readers.push(s)
    }

    await sleep(1000)
    const before = {fds: fds(pid), rss: rssMiB(pid)}
    for (let i = 0; i < RELOADS; i++) {
      process.kill(pid, 'SIGHUP')
      await sleep(10)
    }

    await sleep(1000)
    const during = {fds: fds(pid), ping: await load(sock, 200, 1, false), rss: rssMiB(pid)}
    for (const s of readers) s.destroy()
    await sleep(3000)
    out.slowevents = {after: {fds: fds(pid), rss: rssMiB(pid)}, before, during}

    // TLS handshake flood.
    const floodBefore = {fds: fds(pid), rss: rssMiB(pid)}
    const flood = []
    for (let i = 0; i < FLOOD; i++) {
      const s = net.connect(port, '127.0.0.1')
      s.on('error', () => {})
      flood.push(s)
      if (i % 200 === 0) await sleep(5)
    }

    await sleep(500)
    const floodDuring = {fds: fds(pid), ping: await load(sock, 200, 1, false), rss: rssMiB(pid)}
    for (const s of flood) s.destroy()
    await sleep(3000)
    out.tlsflood = {after: {fds: fds(pid), rss: rssMiB(pid)}, before: floodBefore, during: floodDuring}
  } finally {
    proc.kill('SIGTERM')
    await new Promise((r) => (proc.exitCode === null ? proc.once('exit', r) : r()))
    rmSync(d, {force: true, recursive: true})
  }

  return out
}

const f = (x) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : String(x))
const state = (s) => `RSS ${f(s.rss)} MiB, ${s.fds} fds`
for (const side of sides) {
  const r = await bench(side)
  console.log(`\n## ${r.name}`)
  console.log(`idle: ${state(r.idle)}`)
  console.log(`/_ping, 50 keep-alive connections: ${r.ping50.rps} req/s, p99 ${f(r.ping50.p99)} ms, ${r.ping50.failed} failed`)
  console.log(`/_ping, new connection per request: ${r.newconn.rps} req/s, p99 ${f(r.newconn.p99)} ms, ${r.newconn.failed} failed`)
  const e = r.slowevents
  console.log(`${READERS} stuck /events readers + ${RELOADS} reloads: before ${state(e.before)}; end ${state(e.during)}, /_ping p99 ${f(e.during.ping.p99)} ms (${e.during.ping.failed} failed); after ${state(e.after)}`)
  const t = r.tlsflood
  console.log(`${FLOOD} TLS connections without handshake: before ${state(t.before)}; during ${state(t.during)}, unix /_ping p99 ${f(t.during.ping.p99)} ms (${t.during.ping.failed} failed); after ${state(t.after)}`)
}
