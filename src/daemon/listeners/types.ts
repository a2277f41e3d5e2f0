import type {Server as NetServer} from 'node:net'
import type {Server as TLSServer} from 'node:tls'

import type {LogSink} from '../../log/types.js'
import type {Platform} from '../../platform/types.js'
import type {TargetPlatform} from '../../platform/target.js'
import type {ServerTLSOptions} from '../tls.js'

/** What the daemon modules need of a logger. */
export type DaemonLog = LogSink

export interface Listener {
  /** The normalised host it came from (`unix:///var/run/docker.sock`, `fd://`, ...). */
  host: string
  /** For `API listen on <addr>`: the socket path, or `ip:port` with the real port. */
  addr: string
  /** Bound and listening; nothing is served until the API layer attaches to it. */
  server: NetServer | TLSServer
}

export interface ListenerOptions {
  /** From loadTLSOptions(); TCP (and TCP-type activated sockets) are then served over TLS. */
  tls?: ServerTLSOptions
  /** tlsDecision().explicit: tls/tlsverify given at all, which waives the 15 s pause. */
  tlsExplicit?: boolean
  /** --group ('' = leave the socket with the daemon's own gid). */
  socketGroup: string
  socketGroupExplicit: boolean
  log: DaemonLog
  /** Where LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES are read from and then deleted (default process.env). */
  listenFdsEnv?: NodeJS.ProcessEnv
  /**
   * Length of the deliberate pauses after the insecure-TCP warnings: called with true for the
   * 1 s pause every TCP host without client verification gets (the only one on loopback), and
   * with false for the extra 15 s one of a non-loopback host without explicit TLS settings.
   */
  insecureDelayMs?: (loopback: boolean) => number
  /** Whose listener kinds and limits apply. Default: the host's platform. */
  platform?: Platform | TargetPlatform
  /** Default /etc/group. */
  groupFile?: string
  /** Also ask `getent group` (NSS: LDAP, sssd, ...) when the group file lacks the name. Default true. */
  useGetent?: boolean
  /** How long a connect to an existing socket file may take before it counts as live. Default 1000. */
  staleProbeTimeoutMs?: number
  /** The daemon's effective uid (default process.geteuid()): only root gets the default group. */
  euid?: number
  /**
   * Open connections one listener may hold (`max-connections-per-listener`); further connections are
   * closed on accept, so a flood on one listener cannot use up the file descriptors the others need.
   * 0 or unset = no limit (the option table holds the daemon's default).
   */
  maxConnections?: number
  /** Time a TLS client has to complete its handshake. Default HANDSHAKE_TIMEOUT_MS. */
  handshakeTimeoutMs?: number
}

/** A client has this long, from accept, to finish the TLS handshake (dockerd has no limit at all). */

export const HANDSHAKE_TIMEOUT_MS = 10_000

export interface Listeners {
  listeners: Listener[]
  /** Stop listening, remove the socket files and directories this call created. Idempotent. */
  cleanup(): Promise<void>
}

