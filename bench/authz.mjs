// Cost of authorization on forwarded requests: the built daemon in front of a small upstream that
// answers GET /containers/json with a 20-container list, side by side in one run:
//   forward            --engine-host only
//   policy (50 rules)  + the example policy plugin, 49 rules that do not match before the one that does
//   policy + audit     + --audit-log
// For each: server CPU time (daemon process, /proc/<pid>/stat) per request at a fixed load —
// keep-alive, 10 in flight, REQUESTS requests over the unix socket — median of ROUNDS rounds.
// Usage: node bench/authz.mjs [requests=10000] [rounds=5]   (after npm run build; Linux)
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const REQUESTS = Number(process.argv[2] ?? 10_000)
const ROUNDS = Number(process.argv[3] ?? 5)
const IN_FLIGHT = 10
const TICK = 100 // USER_HZ

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(f[11]) + Number(f[12])
}

const LIST = JSON.stringify(Array.from({length: 20}, (_, i) => ({Id: String(i).padStart(64, '0'), Image: 'mini:1', Labels: {owner: i % 2 ? 'alice' : 'bob'}, Names: [`/c${i}`], State: 'running'})))

/** The upstream engine stand-in, in a process of its own (its CPU is not the daemon's). */
function upstream(sock) {
  const code = `
    const http = require('node:http')
    const list = ${JSON.stringify(LIST)} + '\\n'
    http.createServer((req, res) => {
      if (req.url.endsWith('/_ping')) {
        res.writeHead(200, {'Api-Version': '1.41', 'Content-Type': 'text/plain'})
        res.end(req.method === 'HEAD' ? undefined : 'OK')
        return
      }
      res.writeHead(200, {'Content-Type': 'application/json'})
      res.end(list)
    }).listen(${JSON.stringify(sock)}, () => console.log('up'))`
  const child = spawn(process.execPath, ['-e', code], {stdio: ['ignore', 'pipe', 'inherit']})
  return new Promise((resolve) => child.stdout.once('data', () => resolve({close: () => child.kill('SIGTERM')})))
}

function get(sock, agent, path, timeout = 0) {
  return new Promise((resolve) => {
    // A connection made while the daemon starts may be accepted before it serves: give up and retry.
    const req = http.request({agent, path, socketPath: sock, timeout}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', () => resolve(0))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

async function load(sock, n) {
  const agent = new http.Agent({keepAlive: true, maxSockets: IN_FLIGHT})
  let next = 0
  let bad = 0
  await Promise.all(
    Array.from({length: IN_FLIGHT}, async () => {
      while (next < n) {
        next++
        if ((await get(sock, agent, '/v1.41/containers/json')) !== 200) bad++
      }
    }),
  )
  agent.destroy()
  if (bad > 0) throw new Error(`${bad} requests failed`)
}

const t = mkdtempSync(join(tmpdir(), 'dockerd-bench-authz-'))
const engineSock = join(t, 'engine.sock')
const up = await upstream(engineSock)
const dataDir = join(t, 'plugins')
const {mkdirSync} = await import('node:fs')
mkdirSync(dataDir)
// The example plugin, linked the way `dockerd plugins link` records it.
writeFileSync(join(dataDir, 'package.json'), JSON.stringify({oclif: {plugins: [{name: 'dockerd-authz-policy', root: join(root, 'examples', 'authz-policy'), type: 'link'}], schema: 1}, private: true}))
const policy = join(t, 'policy.json')
const rules = Array.from({length: 49}, (_, i) => ({action: 'allow', identity: {cn: `user-${i}`}, method: ['GET', 'HEAD'], name: `r${i}`, path: ['/containers/json', '/containers/{id}/json', '/images/json']}))
rules.push({action: 'allow', name: 'local', path: '*'})
writeFileSync(policy, JSON.stringify({rules}))

const sides = [
  {extra: [], name: 'forward'},
  {extra: ['--authorization-plugin=policy', '--authz-policy-file', policy], name: 'policy (50 rules)'},
  {extra: ['--authorization-plugin=policy', '--authz-policy-file', policy, '--audit-log', join(t, 'audit.log')], name: 'policy + audit log'},
]

const results = new Map(sides.map((s) => [s.name, []]))
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of sides) {
      const dir = mkdtempSync(join(t, 'd-'))
      const sock = join(dir, 'docker.sock')
      writeFileSync(join(dir, 'daemon.json'), '{}')
      const args = [join(root, 'bin', 'run.js'), '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'), '-H', `unix://${sock}`, '--config-file', join(dir, 'daemon.json'), '--engine-host', `unix://${engineSock}`, ...side.extra]
      const child = spawn(process.execPath, args, {env: {...process.env, DOCKERD_DATA_DIR: dataDir, DOCKERD_ROOTLESS: '1', HOME: dir, XDG_RUNTIME_DIR: join(dir, 'run')}, stdio: ['ignore', 'ignore', 'pipe']})
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      const agent = new http.Agent({keepAlive: false})
      for (let i = 0; i < 200 && (await get(sock, agent, '/v1.41/containers/json', 1000)) !== 200; i++) await sleep(50)
      await load(sock, 1000) // warm-up
      const before = cpuTicks(child.pid)
      await load(sock, REQUESTS)
      const ticks = cpuTicks(child.pid) - before
      results.get(side.name).push((ticks / TICK / REQUESTS) * 1e6)
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      if (!stderr.includes('Daemon has completed initialization')) throw new Error(`${side.name}: the daemon did not start:\n${stderr}`)
      rmSync(dir, {force: true, recursive: true})
    }
  }
} finally {
  up.close()
  rmSync(t, {force: true, recursive: true})
}

const base = median(results.get('forward'))
console.log(`GET /containers/json forwarded, ${REQUESTS} requests x ${ROUNDS} rounds, ${IN_FLIGHT} in flight; daemon CPU per request (median)`)
for (const [name, xs] of results) {
  const m = median(xs)
  console.log(`${name.padEnd(20)} ${m.toFixed(1).padStart(7)} µs  ${name === 'forward' ? '' : `${m >= base ? '+' : ''}${(((m - base) / base) * 100).toFixed(1)} %`}  (rounds: ${xs.map((x) => x.toFixed(1)).join(', ')})`)
}
