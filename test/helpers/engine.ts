// A real upstream engine for the engine-backend tests and bench/engine.mjs: Debian's docker.io
// dockerd started with every path private to one short temp dir (engine-api-proxy.md §1), a
// busybox image imported offline, and the docker CLI run against any host with a private config.
//
// No `node:test` import here, so bench/engine.mjs can load this file too (importing node:test
// outside the test runner prints a TAP summary). Tests close their engines in `after`; the
// process 'exit' net below SIGKILLs whatever is left: dockerd, its containerd, the shims and the
// containers, each found by pid through the engine's own temp dir.
//
// Cost on the 2-core dev machine (2026-12-01, 3 runs): dockerd ready 0.35-0.75 s (it starts its
// own containerd), mini:1 import 0.45-0.6 s (two CLI calls), stop 0.04-1.1 s and close ~1.1 s
// without running containers; a running one adds its stop timeout (10 s by default: use --rm,
// or --stop-timeout 1 for containers left running on purpose).
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {join} from 'node:path'

export const DOCKERD = '/usr/sbin/dockerd'
export const DOCKER_CLI = '/usr/local/bin/docker'
export const BUSYBOX = '/bin/busybox'
/** The applets linked in the imported image's /bin. */
export const APPLETS = ['sh', 'echo', 'cat', 'ls', 'sleep', 'true', 'wc', 'head'] as const
/** The image every engine gets (`mini:1`, also tagged `mini:latest`). */
export const IMAGE = 'mini:1'

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// ---------------------------------------------------------------------------------------------
// Can it run here?

let skipReason: string | undefined | null = null

/**
 * Why a real engine cannot run on this machine (for `{skip: engineSkipReason()}`), or undefined
 * when it can. Probed once per process.
 */
export function engineSkipReason(): string | undefined {
  if (skipReason === null) skipReason = probe()
  return skipReason
}

function probe(): string | undefined {
  if (!existsSync(DOCKERD)) return `no ${DOCKERD} (apt-get install docker.io)`
  if (process.getuid?.() !== 0) return `dockerd needs root (running as uid ${process.getuid?.()})`
  if (!existsSync(DOCKER_CLI)) return `no docker CLI at ${DOCKER_CLI}`
  if (!existsSync(BUSYBOX)) return `no ${BUSYBOX} for the offline image (apt-get install busybox-static)`
  for (const tool of ['containerd', 'containerd-shim-runc-v2', 'runc']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], {env: {PATH}, timeout: 5000}).status !== 0) return `no ${tool} on PATH (it comes with docker.io)`
  }

  // Containers need mount, pid, net, uts and ipc namespaces: the same set runc asks for.
  const r = spawnSync('unshare', ['--mount', '--pid', '--net', '--uts', '--ipc', '--fork', 'true'], {encoding: 'utf8', env: {PATH}, timeout: 10_000})
  if (r.error) return `cannot probe namespaces: unshare: ${r.error.message}`
  if (r.status !== 0) return `no namespaces for containers here: unshare --mount --pid --net --uts --ipc failed: ${r.stderr.trim() || `exit ${r.status}`}`
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Processes this file started, and the ones they started (found through the engine's dir).

const engines = new Set<Engine>()
const children = new Set<ChildProcess>()

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // Gone meanwhile.
  }
}

/**
 * Running processes that belong to the engine in `dir`: its programs whose command line names
 * `dir` (dockerd, containerd, containerd-shim-runc-v2 -address DIR/…) and their descendants (the
 * containers, children of their shim). Zombies have no command line and are not counted.
 */
export function processesUnder(dir: string): number[] {
  const mine = new Set<number>()
  const parent = new Map<number, number>()
  for (const d of readdirSync('/proc')) {
    const pid = Number(d)
    if (!/^\d+$/.test(d) || pid === process.pid) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')
      // Only the engine's own programs: a client that names the engine's socket (a daemon in
      // front of it with --engine-host unix://DIR/engine.sock) is not part of it.
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim()
      const engineProgram = comm === 'dockerd' || comm === 'runc' || comm.startsWith('containerd')
      if (engineProgram && args.some((a) => a === dir || a.startsWith(`${dir}/`) || a.includes(`//${dir}/`))) mine.add(pid)
    } catch {
      // Exited meanwhile.
    }
  }

  const under = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (mine.has(p)) return true
    return false
  }

  return [...parent.keys()].filter((pid) => under(pid)).sort((a, b) => a - b)
}

/** SIGKILLs every engine this process started and everything under their dirs. Idempotent. */
export function reapEngines(): void {
  for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) kill(c.pid, 'SIGKILL')
  for (const e of engines) {
    kill(e.pid, 'SIGKILL')
    for (const pid of processesUnder(e.dir)) kill(pid, 'SIGKILL')
  }
}

process.once('exit', reapEngines)

// ---------------------------------------------------------------------------------------------
// The engine

export interface Engine {
  /** The private temp dir: `engine.sock`, `engine.log`, `data/`, `exec/`, … */
  dir: string
  /** The unix socket path. */
  sock: string
  /** `unix://` + sock, for `-H` and `--engine-host`. */
  host: string
  /** dockerd's pid (changes on restart). */
  pid: number
  /** The last `lines` lines of the engine's log (all starts appended). */
  logTail(lines?: number): string
  /** Whether dockerd runs. */
  running(): boolean
  /** SIGTERM, wait for dockerd and everything under dir to end; dir stays (for start()). */
  stop(ms?: number): Promise<void>
  /** Starts dockerd again on the same paths (images and containers kept); waits for /_ping. */
  start(ms?: number): Promise<void>
  /** stop() then start(). */
  restart(ms?: number): Promise<void>
  /** stop() then remove dir. Idempotent. */
  close(ms?: number): Promise<void>
  /** Running processes under dir (see processesUnder): after stop(), empty. */
  strays(): number[]
}

export interface EngineOptions {
  /** Import mini:1 (default true). */
  image?: boolean
  /** More dockerd flags (after the standard ones). */
  extraArgs?: string[]
  /** Time for dockerd to answer /_ping (default 30 s). */
  timeoutMs?: number
}

/** GET /_ping over a unix socket: the status, or 0 when nothing answers. */
function ping(sock: string, ms = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({agent: false, path: '/_ping', socketPath: sock, timeout: ms}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(0))
    req.end()
  })
}

/** dockerd's arguments: engine-api-proxy.md §1, plus a private (empty) daemon.json so /etc/docker is never read. */
export function engineArgs(dir: string): string[] {
  return [
    '-H', `unix://${join(dir, 'engine.sock')}`,
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'engine.pid'),
    '--config-file', join(dir, 'daemon.json'),
    '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs',
  ]
}

/**
 * Starts a real dockerd with every path in a new temp dir (`/tmp/de-XXXXXX`, short: unix socket
 * paths must stay under 108 bytes, and containerd puts its own sockets under exec/), waits for
 * GET /_ping 200 and imports mini:1. Rejects with the log tail when dockerd exits or does not
 * answer in time (and then leaves nothing behind).
 */
export async function startEngine(opts: EngineOptions = {}): Promise<Engine> {
  const reason = engineSkipReason()
  if (reason) throw new Error(`cannot start an engine here: ${reason}`)
  const dir = mkdtempSync('/tmp/de-')
  writeFileSync(join(dir, 'daemon.json'), '{}\n')
  const sock = join(dir, 'engine.sock')
  const logFile = join(dir, 'engine.log')
  let proc: ChildProcess | undefined
  let closed = false

  const logTail = (lines = 30): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } catch {
      return '(no engine log)'
    }
  }

  const running = (): boolean => proc !== undefined && proc.exitCode === null && proc.signalCode === null

  const exited = (p: ChildProcess): Promise<void> => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((resolve) => p.once('exit', () => resolve())))

  const waitGone = async (ms: number): Promise<void> => {
    const end = Date.now() + ms
    while (processesUnder(dir).length > 0 && Date.now() < end) await sleep(50)
  }

  const stop = async (ms = 30_000): Promise<void> => {
    const p = proc
    if (p && running()) {
      kill(p.pid!, 'SIGTERM')
      const timer = setTimeout(() => kill(p.pid!, 'SIGKILL'), ms)
      await exited(p)
      clearTimeout(timer)
    }

    // containerd ends with dockerd; shims end a moment later, when their containers are gone.
    await waitGone(5000)
    const left = processesUnder(dir)
    if (left.length > 0) {
      const what = left.map((pid) => `${pid} ${readCmd(pid)}`).join('; ')
      for (const pid of left) kill(pid, 'SIGKILL')
      throw new Error(`engine in ${dir} left processes running after stop (now killed): ${what}`)
    }
  }

  const start = async (ms = opts.timeoutMs ?? 30_000): Promise<void> => {
    if (running()) throw new Error(`engine in ${dir} is already running (pid ${proc!.pid})`)
    const fd = openSync(logFile, 'a')
    try {
      proc = spawn(DOCKERD, [...engineArgs(dir), ...(opts.extraArgs ?? [])], {cwd: dir, env: {HOME: dir, PATH}, stdio: ['ignore', fd, fd]})
    } finally {
      closeSync(fd)
    }

    if (proc.pid === undefined) throw new Error(`could not spawn ${DOCKERD}`)
    engine.pid = proc.pid
    proc.on('error', () => {
      // 'exit' follows; the wait below reports it with the log.
    })
    const end = Date.now() + ms
    for (;;) {
      if ((await ping(sock)) === 200) return
      if (!running()) throw new Error(`dockerd exited (${proc.exitCode ?? proc.signalCode}) before answering /_ping on ${sock}; engine log:\n${logTail()}`)
      if (Date.now() > end) {
        await stop(5000).catch(() => undefined)
        throw new Error(`dockerd did not answer /_ping on ${sock} within ${ms} ms; engine log:\n${logTail()}`)
      }

      await sleep(50)
    }
  }

  const engine: Engine = {
    async close(ms) {
      if (closed) return
      closed = true
      try {
        await stop(ms)
      } finally {
        engines.delete(engine)
        rmSync(dir, {force: true, maxRetries: 3, recursive: true})
      }
    },
    dir,
    host: `unix://${sock}`,
    logTail,
    pid: 0,
    async restart(ms) {
      await stop(ms)
      await start()
    },
    running,
    sock,
    start,
    stop,
    strays: () => processesUnder(dir),
  }
  engines.add(engine)
  try {
    await start()
    if (opts.image !== false) await importMini(engine)
  } catch (error) {
    await engine.close(5000).catch(() => undefined)
    throw error
  }

  return engine
}

function readCmd(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
  } catch {
    return '?'
  }
}

/**
 * Imports `mini:1` (and tags `mini:latest`) into the engine: a root fs of /bin/busybox with
 * APPLETS linked to it, `tar -c | docker import -`, no registry involved.
 */
export async function importMini(engine: Engine): Promise<void> {
  const root = join(engine.dir, 'mini-root')
  mkdirSync(join(root, 'bin'), {recursive: true})
  copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'))
  for (const a of APPLETS) symlinkSync('busybox', join(root, 'bin', a))
  const tar = spawnSync('tar', ['-C', root, '-c', '.'], {maxBuffer: 64 << 20, timeout: 20_000})
  rmSync(root, {force: true, recursive: true})
  if (tar.status !== 0) throw new Error(`tar of the busybox root fs failed: ${String(tar.stderr)}`)
  const imp = await dockerCli(engine.host, ['import', '-', IMAGE], {input: tar.stdout})
  if (imp.code !== 0) throw new Error(`docker import ${IMAGE} failed (${imp.code}): ${imp.stderr.trim()}; engine log:\n${engine.logTail(10)}`)
  const tag = await dockerCli(engine.host, ['tag', IMAGE, 'mini:latest'])
  if (tag.code !== 0) throw new Error(`docker tag ${IMAGE} mini:latest failed (${tag.code}): ${tag.stderr.trim()}`)
}

// ---------------------------------------------------------------------------------------------
// The docker CLI

export interface CliResult {
  /** Exit status; null when killed (timeout): stderr then says so. */
  code: null | number
  stdout: string
  stderr: string
}

export interface CliOptions {
  /** Written to stdin, then stdin is closed (without it stdin is empty and closed). */
  input?: Buffer | string
  /** Time limit (default 60 s); then SIGKILL. */
  ms?: number
  /** DOCKER_CONFIG dir; default a private temp dir, removed afterwards. */
  config?: string
  /** More environment (e.g. DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). */
  env?: NodeJS.ProcessEnv
}

/**
 * `docker -H HOST ARGS` (docker CLI 28) with a private DOCKER_CONFIG and no DOCKER_* from the
 * caller, bounded in time. HOST: `unix:///path` or `tcp://host:port` (TLS flags go in ARGS or env).
 */
export function dockerCli(host: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const config = opts.config ?? mkdtempSync('/tmp/dc-')
  const ms = opts.ms ?? 60_000
  const env = {DOCKER_CLI_HINTS: 'false', DOCKER_CONFIG: config, HOME: config, PATH, ...opts.env}
  return new Promise((resolve) => {
    const child = spawn(DOCKER_CLI, ['-H', host, ...args], {cwd: '/', env, stdio: ['pipe', 'pipe', 'pipe']})
    children.add(child)
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const timer = setTimeout(() => {
      timedOut = true
      if (child.pid !== undefined) kill(child.pid, 'SIGKILL')
    }, ms)
    child.stdin.on('error', () => {
      // The CLI may exit before reading all of stdin (e.g. on an error); its status says why.
    })
    child.stdin.end(opts.input ?? '')
    let done = false
    const finish = (code: null | number, extra = ''): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      children.delete(child)
      if (opts.config === undefined) rmSync(config, {force: true, recursive: true})
      resolve({code, stderr: stderr + extra, stdout})
    }

    child.once('error', (error) => finish(null, `\n[could not run ${DOCKER_CLI}: ${error.message}]`))
    child.once('close', (code, signal) => finish(code, timedOut ? `\n[docker ${args.join(' ')} killed after ${ms} ms]` : signal ? `\n[docker killed by ${signal}]` : ''))
  })
}
