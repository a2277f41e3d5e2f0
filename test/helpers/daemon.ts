// Helpers for end-to-end tests that run the BUILT daemon (bin/run.js) as a real process:
// start it, wait for its listeners, talk to it over its unix socket, stop it by signal.
// Every process started here is remembered by pid and SIGKILLed when the test file ends,
// whatever happened to the test (a safety net; tests stop their daemons themselves).
import {type ChildProcess, execFile, spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {connect} from 'node:net'
import {join} from 'node:path'
import {after} from 'node:test'

import {BIN, ROOT, isolatedEnv} from './run.js'

export {BIN, ROOT, isolatedEnv}

/** True when `npm run build` has produced the daemon (lib/daemon/run.js) that bin/run.js loads. */
export const daemonBuilt = existsSync(BIN) && existsSync(join(ROOT, 'lib', 'commands', 'dockerd.js')) && existsSync(join(ROOT, 'lib', 'daemon', 'run.js'))
export const NOT_BUILT = 'the daemon is not built (lib/daemon/run.js missing): run `npm run build`'

// ---------------------------------------------------------------------------------------------
// Safety net: only our own children, by pid.

const started = new Set<number>()

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGKILL every process this file started that still runs. Idempotent. */
export function reapStarted(): void {
  for (const pid of started) {
    try {
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    } catch {
      // Gone meanwhile.
    }

    started.delete(pid)
  }
}

/** Remember a process started by a test (also one not started by startDaemon), for the net. */
export function track(pid: number | undefined): void {
  if (pid !== undefined) started.add(pid)
}

export function untrack(pid: number | undefined): void {
  if (pid !== undefined) started.delete(pid)
}

after(reapStarted)
process.once('exit', reapStarted)

// ---------------------------------------------------------------------------------------------
// Temp dirs: short, because a unix socket path is limited to 107 bytes.

export interface Temp {
  dir: string
  /** `dir/name`. */
  p(name: string): string
  /** Sorted names directly under dir. */
  list(): string[]
  done(): void
}

export function shortTemp(): Temp {
  const dir = mkdtempSync('/tmp/dd-')
  return {
    dir,
    done: () => rmSync(dir, {force: true, maxRetries: 3, recursive: true}),
    list: () => readdirSync(dir).sort(),
    p: (name: string) => join(dir, name),
  }
}

/**
 * The flags every test daemon gets: all state inside `t`, socket `t/docker.sock`, an empty config
 * file written if none exists yet.
 */
export function baseArgs(t: Temp, opts: {config?: string; socket?: boolean} = {}): string[] {
  if (opts.config !== undefined || !existsSync(t.p('daemon.json'))) writeFileSync(t.p('daemon.json'), opts.config ?? '{}')
  const args = ['--data-root', t.p('data'), '--exec-root', t.p('exec'), '--pidfile', t.p('docker.pid'), '--config-file', t.p('daemon.json')]
  if (opts.socket !== false) args.push('-H', `unix://${t.p('docker.sock')}`)
  return args
}

// ---------------------------------------------------------------------------------------------
// Starting and stopping

export interface Daemon {
  proc: ChildProcess
  pid: number
  /** Everything written on stderr so far. */
  stderr(): string
  /** Everything written on stdout so far. */
  stdout(): string
  /** Length of stderr now: pass to waitFor() to look only at what comes after. */
  mark(): number
  /** Resolves when stderr (from offset `from`) matches; rejects on timeout or exit, with the log. */
  waitFor(re: RegExp, ms?: number, from?: number): Promise<RegExpMatchArray>
  /** Resolves with the exit status (null when killed by a signal). */
  exited: Promise<{code: null | number; signal: NodeJS.Signals | null}>
  /** Sends `signal` (if still running) and waits for exit: status, or null when killed by a signal. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<null | number>
  /** Whether the process is still running. */
  running(): boolean
}

export interface StartOptions {
  /** HOME for isolatedEnv(): XDG dirs and defaults go there. */
  home: string
  env?: NodeJS.ProcessEnv
  /** Time for start-up (default 15 s). */
  timeoutMs?: number
  /**
   * How many `API listen on` lines mean ready (default: the number of -H/--host values, at least
   * 1). 0 resolves as soon as the process is spawned (for --log-level=warn and similar).
   */
  listens?: number
  /** Run something else than `node bin/run.js ARGS` (e.g. systemd-socket-activate …). */
  command?: {file: string; args: string[]; env?: NodeJS.ProcessEnv}
  /**
   * After the `API listen on` lines, also wait for one `/_ping` answer on the first unix socket
   * (or 100 ms without one), so the daemon's start-up code has run to its end. Default true;
   * false returns right at the last `API listen on` line.
   */
  settle?: boolean
}

function firstUnixSocket(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const v = a === '-H' || a === '--host' ? args[i + 1] : a.startsWith('--host=') ? a.slice(7) : a.startsWith('-H') ? a.slice(2).replace(/^=/, '') : undefined
    if (v?.startsWith('unix://')) return v.slice('unix://'.length)
  }

  return undefined
}

function countHosts(args: readonly string[]): number {
  let n = 0
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '-H' || a === '--host') {
      n++
      i++
    } else if (a.startsWith('-H') || a.startsWith('--host=')) n++
  }

  return Math.max(n, 1)
}

/** Spawns a process with stderr/stdout captured and tracked by pid; no readiness wait. */
export function spawnTracked(file: string, args: string[], env: NodeJS.ProcessEnv): Daemon {
  const proc = spawn(file, args, {cwd: '/', env, stdio: ['ignore', 'pipe', 'pipe']})
  if (proc.pid === undefined) throw new Error(`could not spawn ${file}`)
  const pid = proc.pid
  track(pid)
  let err = ''
  let out = ''
  const waiters = new Set<() => void>()
  const wake = (): void => {
    for (const w of [...waiters]) w()
  }

  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d
    wake()
  })
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d
    wake()
  })
  let done = false
  const exited = new Promise<{code: null | number; signal: NodeJS.Signals | null}>((resolve) => {
    // 'close' comes after the pipes are drained, so stderr() is complete by then.
    proc.once('close', (code, signal) => {
      done = true
      untrack(pid)
      resolve({code, signal})
      wake()
    })
  })

  const waitFor = (re: RegExp, ms = 10_000, from = 0): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = err.slice(from).match(re)
        if (m) {
          finish()
          resolve(m)
        } else if (done) {
          finish()
          reject(new Error(`process ${pid} exited before ${re} appeared; stderr:\n${err}`))
        }
      }

      const timer = setTimeout(() => {
        finish()
        reject(new Error(`timed out after ${ms} ms waiting for ${re}; stderr:\n${err}`))
      }, ms)
      const finish = (): void => {
        clearTimeout(timer)
        waiters.delete(check)
      }

      waiters.add(check)
      check()
    })

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', ms = 10_000): Promise<null | number> => {
    if (!done) {
      try {
        process.kill(pid, signal)
      } catch {
        // Exited meanwhile.
      }
    }

    const r = await withTimeout(exited, ms, `process ${pid} did not exit within ${ms} ms after ${signal}`).catch((error: Error) => {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Gone.
      }

      throw new Error(`${error.message}; stderr:\n${err}`)
    })
    return r.code
  }

  return {
    exited,
    mark: () => err.length,
    pid,
    proc,
    running: () => !done,
    stderr: () => err,
    stdout: () => out,
    stop,
    waitFor,
  }
}

/**
 * Starts `node bin/run.js ARGS` with isolatedEnv(home) and waits until every expected
 * `API listen on` line has appeared. Rejects with the captured stderr when the process exits
 * early or the timeout passes (and then kills it).
 */
export async function startDaemon(args: string[], opts: StartOptions): Promise<Daemon> {
  const env = isolatedEnv(opts.home, opts.env)
  const d = opts.command ? spawnTracked(opts.command.file, opts.command.args, opts.command.env ?? env) : spawnTracked(process.execPath, [BIN, ...args], env)
  const want = opts.listens ?? countHosts(args)
  if (want === 0) return d
  const re = new RegExp(`(?:API listen on [^\\n]*\\n[^]*){${want}}`)
  try {
    await d.waitFor(re, opts.timeoutMs ?? 15_000)
    if (opts.settle !== false) {
      // The daemon logs `API listen on` before it installs its signal handlers (a bug reported
      // to the lead; see the daemon.test.ts test on signals at the ready line): one answered
      // request means the synchronous start-up code after that line has run.
      const sock = opts.command ? undefined : firstUnixSocket(args)
      if (sock) await waitForPing(sock, opts.timeoutMs ?? 15_000, d)
      else await sleep(100)
    }
  } catch (error) {
    if (d.running()) await d.stop('SIGKILL', 5000).catch(() => null)
    throw error
  }

  return d
}

/** Runs the daemon expecting it to fail on its own: exit status and output, bounded in time. */
export async function runToExit(args: string[], opts: {home: string; env?: NodeJS.ProcessEnv; timeoutMs?: number}): Promise<{code: null | number; stderr: string; stdout: string}> {
  const d = spawnTracked(process.execPath, [BIN, ...args], isolatedEnv(opts.home, opts.env))
  const ms = opts.timeoutMs ?? 15_000
  const r = await withTimeout(d.exited, ms, `daemon still running after ${ms} ms`).catch(async (error: Error) => {
    await d.stop('SIGKILL', 5000).catch(() => null)
    throw new Error(`${error.message}; stderr:\n${d.stderr()}`)
  })
  return {code: r.code, stderr: d.stderr(), stdout: d.stdout()}
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(what)), ms)
    }),
  ])
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// ---------------------------------------------------------------------------------------------
// Talking to the daemon

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** One HTTP request over a unix socket (or TCP when `socketPath` is host:port), bounded in time. */
export function api(socketPath: string, path: string, opts: {method?: string; ms?: number; headers?: Record<string, string>} = {}): Promise<Reply> {
  const ms = opts.ms ?? 5000
  return new Promise((resolve, reject) => {
    const req = http.request({agent: false, headers: opts.headers, method: opts.method ?? 'GET', path, socketPath, timeout: ms}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        body += c
      })
      res.on('end', () => resolve({body, headers: res.headers, status: res.statusCode ?? 0}))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`${opts.method ?? 'GET'} ${path} timed out after ${ms} ms`)))
    req.on('error', reject)
    req.end()
  })
}

export async function apiJSON<T = Record<string, unknown>>(socketPath: string, path: string): Promise<T> {
  const r = await api(socketPath, path)
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`)
  return JSON.parse(r.body) as T
}

/** One event as `/events` writes it (the fields the tests read). */
export interface StreamedEvent {
  Type: string
  Action: string
  Actor: {ID: string; Attributes: Record<string, string>}
  time: number
  timeNano: number
}

/**
 * Opens a live GET /events stream, calls `trigger` once the daemon answered (its subscription is
 * made by then), and resolves with the first event `match` accepts; rejects after `ms`.
 *
 * For a test that queries `--until <now>` after an action: a log line is no proof of the event's
 * time. The daemon logs "Reloaded configuration" before it stamps and publishes `daemon reload`
 * (dockerd's order too), so a clock read as soon as the line shows can be earlier than the event's
 * stamp, a whole second earlier when a second boundary falls between the two. The event on the
 * stream was stamped before it was written, so a clock read after it arrives is later.
 */
export function nextEvent(socketPath: string, match: (ev: StreamedEvent) => boolean, trigger: () => void, ms = 10_000): Promise<StreamedEvent> {
  return new Promise((resolve, reject) => {
    const req = http.get({agent: false, path: '/events', socketPath}, (res) => {
      if (res.statusCode !== 200) {
        finish(new Error(`GET /events: ${res.statusCode}`))
        return
      }

      let partial = ''
      res.setEncoding('utf8')
      // Ending the stream here (below) aborts the answer: not an error of the test's.
      res.on('error', () => {})
      res.on('data', (chunk: string) => {
        partial += chunk
        let nl = partial.indexOf('\n')
        while (nl >= 0) {
          const line = partial.slice(0, nl)
          partial = partial.slice(nl + 1)
          nl = partial.indexOf('\n')
          let ev: StreamedEvent
          try {
            ev = JSON.parse(line) as StreamedEvent
          } catch {
            finish(new Error(`GET /events: not a JSON event: ${JSON.stringify(line)}`))
            return
          }

          if (match(ev)) {
            finish(undefined, ev)
            return
          }
        }
      })
      trigger()
    })
    const finish = (error: Error | undefined, ev?: StreamedEvent): void => {
      clearTimeout(timer)
      req.destroy()
      if (error) reject(error)
      else resolve(ev!)
    }

    const timer = setTimeout(() => finish(new Error(`no matching event on ${socketPath} /events within ${ms} ms`)), ms)
    req.on('error', (error) => finish(error))
  })
}

/** Polls GET /_ping until 200 (for daemons whose log level hides `API listen on`). */
export async function waitForPing(socketPath: string, ms = 15_000, d?: Daemon): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const r = await api(socketPath, '/_ping', {ms: 1000}).catch(() => undefined)
    if (r?.status === 200) return
    if (d && !d.running()) throw new Error(`daemon exited before answering /_ping; stderr:\n${d.stderr()}`)
    if (Date.now() > end) throw new Error(`no /_ping answer on ${socketPath} within ${ms} ms${d ? `; stderr:\n${d.stderr()}` : ''}`)
    await sleep(50)
  }
}

/**
 * Raw bytes to the socket; resolves with everything received until the server closes or `ms`
 * passes (then the socket is destroyed and what was received so far is returned).
 */
export function rawExchange(socketPath: string, data: Buffer | string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath)
    let got = ''
    const timer = setTimeout(() => {
      sock.destroy()
      resolve(got)
    }, ms)
    sock.setEncoding('utf8')
    sock.on('data', (d: string) => {
      got += d
    })
    sock.on('error', (error: NodeJS.ErrnoException) => {
      // A server that answers then resets the rest of a large request: keep what arrived.
      clearTimeout(timer)
      if (got !== '' || error.code === 'EPIPE' || error.code === 'ECONNRESET') resolve(got)
      else reject(error)
    })
    sock.on('close', () => {
      clearTimeout(timer)
      resolve(got)
    })
    sock.on('connect', () => sock.write(data))
  })
}

/** Whether something accepts TCP connections on 127.0.0.1:port (bounded by ms). */
export function tcpAccepts(port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({host: '127.0.0.1', port})
    const done = (v: boolean): void => {
      clearTimeout(timer)
      sock.destroy()
      resolve(v)
    }

    const timer = setTimeout(() => done(true), ms)
    sock.once('connect', () => done(true))
    sock.once('error', () => done(false))
  })
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = http.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as {port: number}
      srv.close(() => resolve(port))
    })
  })
}

// ---------------------------------------------------------------------------------------------
// External tools

export function hasExecutable(path: string): boolean {
  return existsSync(path)
}

export function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], {encoding: 'utf8', timeout: 5000})
  const p = r.stdout?.trim()
  return r.status === 0 && p ? p : undefined
}

export function pythonHasDocker(python = '/usr/bin/python3'): boolean {
  if (!existsSync(python)) return false
  return spawnSync(python, ['-c', 'import docker'], {timeout: 10_000}).status === 0
}

export interface ExecResult {
  code: null | number
  stdout: string
  stderr: string
}

/** Runs a tool asynchronously (the event loop keeps serving), bounded in time. */
export function execTool(file: string, args: string[], opts: {env?: NodeJS.ProcessEnv; ms?: number; cwd?: string} = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, {cwd: opts.cwd ?? '/', encoding: 'utf8', env: opts.env, killSignal: 'SIGKILL', maxBuffer: 16 << 20, timeout: opts.ms ?? 20_000}, (error, stdout, stderr) => {
      untrack(child.pid)
      const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? ((error as unknown as {code: number}).code) : null) : 0
      resolve({code, stderr: String(stderr) + (error && code === null ? `\n[${error.message}]` : ''), stdout: String(stdout)})
    })
    track(child.pid)
  })
}

/** A minimal environment for the docker CLI: no user config, no DOCKER_* from the caller. */
export function dockerCliEnv(home: string): NodeJS.ProcessEnv {
  return {DOCKER_CONFIG: join(home, '.docker-cli'), HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin'}
}

// ---------------------------------------------------------------------------------------------
// Certificates made with the openssl CLI at test time

export interface Certs {
  ca: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  /** A client certificate signed by another CA. */
  rogueCert: string
  rogueKey: string
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, {cwd, encoding: 'utf8', timeout: 20_000})
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`)
}

/** EC P-256 CA, server cert for 127.0.0.1 (SAN IP), a client cert, and a client cert of another CA. */
export function makeCerts(dir: string): Certs {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  const ca = (name: string): void => openssl(['req', '-x509', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir)
  const leaf = (name: string, caName: string, ext: string): void => {
    openssl(['req', '-new', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir)
    writeFileSync(join(dir, `${name}.ext`), ext)
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}-key.pem`, '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '2', '-extfile', `${name}.ext`], dir)
  }

  ca('ca')
  ca('other-ca')
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n')
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n')
  leaf('rogue', 'other-ca', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n')
  const p = (n: string): string => join(dir, n)
  return {
    ca: p('ca.pem'),
    clientCert: p('client-cert.pem'),
    clientKey: p('client-key.pem'),
    rogueCert: p('rogue-cert.pem'),
    rogueKey: p('rogue-key.pem'),
    serverCert: p('server-cert.pem'),
    serverKey: p('server-key.pem'),
  }
}

/** Parses logrus text lines `time="…" level=x msg="…" k=v` into level/msg (enough for tests). */
export function logLines(stderr: string): Array<{level: string; msg: string; raw: string}> {
  const out: Array<{level: string; msg: string; raw: string}> = []
  for (const raw of stderr.split('\n')) {
    const m = /^time="[^"]+" level=(\w+) msg=("(?:[^"\\]|\\.)*"|\S*)/.exec(raw)
    if (m) out.push({level: m[1]!, msg: m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!, raw})
  }

  return out
}
