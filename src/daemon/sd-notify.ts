
import type {DaemonLog} from './listeners/index.js'

export interface NotifyOptions {
  /** Default process.env; NOTIFY_SOCKET is read from it and left in place (as dockerd does). */
  env?: NodeJS.ProcessEnv
  /** Default `systemd-notify`. */
  command?: string
  /** Kill systemd-notify after this long (its BARRIER=1 wait could hang on a bad receiver). */
  timeoutMs?: number
  log?: DaemonLog
}

/**
 * sd_notify(3) for `READY=1`, `RELOADING=1`, `STOPPING=1`, `STATUS=…` (one or several
 * newline-separated assignments). Node has no AF_UNIX datagram sockets, so this runs the
 * `systemd-notify` CLI (node-ecosystem §3): it handles `@abstract` names, and as root it sends
 * our credentials, so `NotifyAccess=main` works; `--pid` adds MAINPID for wrappers. Async:
 * its BARRIER=1 handshake takes 30–70 ms. Resolves false (never rejects) when NOTIFY_SOCKET is
 * unset or sending failed: dockerd ignores sd_notify errors too.
 */
export function notify(state: string, opts: NotifyOptions = {}): Promise<boolean> {
  // One systemd-notify at a time, in call order: two running at once can deliver READY=1 (end of a
  // reload) before RELOADING=1, leaving systemd thinking the daemon is still reloading.
  const sent = queue.then(() => send(state, opts))
  queue = sent.then(
    () => undefined,
    () => undefined,
  )
  return sent
}

let queue: Promise<unknown> = Promise.resolve()

async function send(state: string, opts: NotifyOptions): Promise<boolean> {
  const env = opts.env ?? process.env
  if (!env.NOTIFY_SOCKET) return false
  const assignments = state.split('\n').filter((line) => line !== '')
  if (assignments.length === 0) return false
  const command = opts.command ?? 'systemd-notify'
  const args = [`--pid=${process.pid}`, ...assignments]
  return new Promise<boolean>((resolve) => {
    // Imported here: child_process costs a few ms on every start and is needed only under systemd.
    void import('node:child_process').then(({execFile}) => execFile(command, args, {env, timeout: opts.timeoutMs ?? 5000, windowsHide: true}, (error, _stdout, stderr) => {
      if (error) {
        opts.log?.debug('sd_notify failed', {error: (String(stderr).trim() || error.message), state: assignments.join(' ')})
        resolve(false)
        return
      }

      resolve(true)
    }))
  })
}
