// Types of the Engine API module. Kept apart from the code so that the daemon and
// plugins can import them without pulling node:http in.
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Socket} from 'node:net'
import type {Duplex} from 'node:stream'

import type {EventBus} from './events.js'

/** Minimal logger the API needs; the daemon passes its logrus-style logger. */
export interface ApiLogger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info?(msg: string, fields?: Record<string, unknown>): void
  warn?(msg: string, fields?: Record<string, unknown>): void
  error?(msg: string, fields?: Record<string, unknown>): void
  /** When present, `debug` work (building the message) is skipped unless this says yes. */
  isLevelEnabled?(level: string): boolean
}

/** One entry of `/version` `Components` (moby `system.ComponentVersion`). */
export interface ComponentVersion {
  Name: string
  Version: string
  /** Serialised with sorted keys, as Go does for map[string]string. */
  Details?: Record<string, string>
}

/** What the daemon hands the API server. Functions are called per request (reload-safe). */
export interface ApiContext {
  /** Engine version, e.g. `29.7.2`; appears in `Server: Docker/<v> (<os>)` and `/version`. */
  serverVersion: string
  gitCommit: string
  /** Go GOOS name: `linux`, `windows`, `freebsd`. */
  os: string
  /** Go GOARCH name: `amd64`, `arm64`, ... */
  arch: string
  /** Effective minimum API version (default 1.40, may be lowered to 1.24). */
  minApiVersion: string
  /** Advertised (default = maximum) API version. */
  maxApiVersion: string
  experimental(): boolean
  /**
   * Builds the full `/info` object at the current API version; the route shapes it for the request's
   * version (src/api/info-shape.ts). Gets that version to ask an upstream engine for its view.
   */
  info(apiVersion: string): Promise<Record<string, unknown>> | Record<string, unknown>
  events: EventBus
  log: ApiLogger

  /** `/version` `Platform.Name` (moby's PlatformName build variable); default `""`. */
  platformName?: string
  /** `/version` BuildTime; omitted at top level when empty. */
  buildTime?: string
  /** `/version` KernelVersion; default `os.release()`. */
  kernelVersion?: string
  /** Extra `/version` components after `Engine` (containerd, runc, docker-init, ...). */
  components?(): ComponentVersion[] | Promise<ComponentVersion[]>
  /** daemon.json `features`; `buildkit` decides `Builder-Version` like moby's BuilderVersion(). */
  features?(): Record<string, boolean>
  /** `Swarm` header of `/_ping`; default `inactive`. */
  swarmStatus?(): string
  /**
   * Authorization (dockerd's authz middleware, after the version check): undefined allows; a denial
   * names the plugin and becomes 403 `authorization denied by plugin <plugin>: <msg>`.
   */
  authorize?(req: IncomingMessage, target: AuthzTarget): Promise<AuthzVerdict | undefined> | AuthzVerdict | undefined
  /**
   * Whether authorization has anything to decide now (an authorization plugin is configured).
   * Absent while `authorize` is set: assumed yes (the connection front then leaves every request to
   * the middleware list).
   */
  authorizing?(): boolean
  /** Told about every answered request (metrics). Absent: nothing is timed. */
  observe?(o: ApiObservation): void
  /**
   * The engine backend (the engine plugin, when `engine-host` is set): requests no route of the
   * daemon matches go there. Absent: engine routes answer 501 saying how to configure one.
   */
  engine?: EngineBackend
}

/** One answered request, as observers (metrics, audit) see it. */
export interface ApiObservation {
  durationMs: number
  method: string
  /** The route's pattern (`/_ping`, `/containers/{id}/logs`), or '' when none matched. */
  route: string
  status: number
  /** The path without the version prefix, as requested. */
  path?: string
  /** True when the request went to the upstream engine. */
  forwarded?: boolean
  /** Response bytes written to the client (body, or both directions' payload on a hijacked connection). */
  bytes?: number
  /** Who sent it, through which listener (absent only for requests not served through serve()). */
  identity?: CallerIdentity
  /** What authorization decided, when authorization plugins are configured. */
  authz?: AuthzRecord
}

/**
 * Who sent a request and how that is known: always explicit, never guessed from the transport.
 * `tls` only when the client certificate was verified against --tlscacert; a TLS listener without
 * client verification gives `tls` with an empty `name` (nobody in particular).
 */
export interface CallerIdentity {
  /** The -H address the request came through (`unix:///var/run/docker.sock`, `tcp://0.0.0.0:2376`). */
  listener: string
  method: 'tls' | 'unix' | 'tcp'
  /** tls: the subject CN (the last one, as Go reads it), else the first SAN; '' without a verified certificate. */
  name: string
  /** tls: the subject CN ('' when the certificate has none). */
  cn?: string
  /** tls: the subject alternative names as `DNS:x`, `IP Address:x`, `email:x`, `URI:x`. */
  sans?: string[]
  /** unix: the peer process's credentials (SO_PEERCRED); absent when the OS did not tell. */
  uid?: number
  gid?: number
  pid?: number
  /** tcp and tls: the peer's `ip:port`. */
  address?: string
}

/** What authorization decided for one request (for observers: audit). */
export interface AuthzRecord {
  allow: boolean
  /** The plugin that decided (the denying one, or the last that allowed). */
  plugin: string
  /** The rule that decided, when the plugin names it. */
  rule?: string
  msg?: string
}

/** The request authorization is asked about. */
export interface AuthzTarget {
  method: string
  /** The path without the version prefix. */
  path: string
  uri: string
  /** The engine route's pattern (`/containers/{id}/json`) for a forwarded request, else the daemon route's. */
  route?: string
  /** True for a request no daemon route serves (it goes to the engine backend). */
  forwarded?: boolean
  /** True when the request asked to upgrade its connection (its body is in `head`). */
  upgrade?: {head: Buffer; socket: Duplex}
}

/** What the router does with an authorized (or refused) request. */
export interface AuthzVerdict {
  /** Refused: the status (403, or 404 "as if it did not exist", 400/413 for a body that cannot be inspected) and message. */
  deny?: {status: number; message: string}
  /** The request body the policy decided on: forwarded exactly, with its own Content-Length. */
  body?: Buffer
  /** For an upgrading request whose body was read: the bytes that follow it on the socket. */
  head?: Buffer
  /** Filters the answer (lists, events) to what the caller may see. */
  response?: ResponseFilter
  /** What was decided, for observers (audit). */
  record?: AuthzRecord
}

/** Filters an answer on the way back to the caller (the plugins' response hook, combined). */
export interface ResponseFilter {
  /** A JSON answer (`GET /containers/json`): gets the parsed body, returns what to send instead. */
  json?(body: unknown, status: number): unknown
  /** One event of `/events` (parsed): false drops it. */
  event?(event: Record<string, unknown>): boolean
}

/** Where a request goes upstream: what the router learned from its URL. */
export interface ForwardTarget {
  method: string
  /** The path without the version prefix. */
  path: string
  /** `1.41` from `/v1.41/...`, '' for a bare path. */
  urlVersion: string
  /** The request URI exactly as the client sent it (forwarded unchanged). */
  uri: string
}

/** What the daemon's own routes learn from the upstream engine (the last it said). */
export interface EnginePing {
  apiVersion?: string
  builderVersion?: string
  experimental?: string
  swarm?: string
  osType?: string
}

/** The engine backend the router forwards to (contributed by a plugin, see DockerdPlugin.engine). */
export interface EngineBackend {
  /** The upstream's address as configured (`unix:///run/docker.sock`), for messages. */
  readonly address: string
  /**
   * Forwards one request; the router has authorized it. Never throws: errors become responses.
   * With `body`, those bytes are sent (with their own Content-Length) instead of streaming `req`;
   * with `response.json`, a JSON answer is filtered before it goes back.
   */
  forward(req: IncomingMessage, res: ServerResponse, target: ForwardTarget, opts?: ForwardOptions): void
  /**
   * Forwards a request that asked to upgrade the connection (attach, exec start, h2c, WebSocket).
   * `res` is bound to the client's socket for answers that do not upgrade; `head` holds the bytes
   * that followed the request head (its body first).
   */
  upgrade(req: IncomingMessage, res: ServerResponse, socket: Duplex, head: Buffer, target: ForwardTarget, done: (r: {bytes: number; status: number}) => void): void
  /** The upstream's /_ping headers, last seen (undefined before it was ever reached). */
  ping(): EnginePing | undefined
  /** The upstream's `/version` components, shown after ours; [] while it is down. */
  components(): Promise<ComponentVersion[]>
  /** The upstream's `/info` at the request's API version, or undefined while it is down. */
  info(apiVersion: string): Promise<Record<string, unknown> | undefined>
  /**
   * Streams the upstream's `/events` for the same query, one line at a time, until it ends, the
   * signal aborts or the upstream goes away. Resolves when done; never rejects.
   */
  events(opts: {accept?: string; rawQuery: string; urlVersion: string; signal: AbortSignal; onLine(line: string): void}): Promise<void>
  /** A problem to show in `/info` Warnings (the upstream is unreachable), or undefined. */
  warning(): string | undefined
  /** One JSON GET of the daemon's own (policy look-ups: `/containers/ID/json`): the status and the parsed body. */
  getJson(path: string): Promise<{status: number; body: unknown}>
  /**
   * A relay for the connection front (src/api/front.ts): `client`'s plain requests go up on one
   * upstream connection of its own. Undefined when this backend cannot relay raw bytes now (a TLS
   * upstream, the fast path turned off, the upstream down): the request takes the middleware list.
   */
  relay?(client: Socket): EngineRelay | undefined
}

/**
 * How a relayed request ended: `done` (answered, the connection stays open), `closed` (answered,
 * and the answer's framing closes the client's connection), `broken` (the upstream failed
 * mid-answer: the client's connection was destroyed) or `unsent` (nothing reached the client:
 * the request goes to the middleware list instead).
 */
export type RelayOutcome = 'done' | 'closed' | 'broken' | 'unsent'

/** One client connection's relay to the engine (see EngineBackend.relay). */
export interface EngineRelay {
  /** Still bound to the upstream requests go to (false after a reload changed it). */
  readonly current: boolean
  /** Sends one bodiless request head, as received, and relays its answer to the client. */
  send(head: Buffer, noBody: boolean, done: (outcome: RelayOutcome) => void): void
  /** The client connection closed or goes to node:http: the upstream connection goes back (or closes mid-answer). */
  release(): void
}

export interface ForwardOptions {
  body?: Buffer
  response?: ResponseFilter
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS'

/** Per-request data given to a route handler. */
export interface RouteContext {
  /** Effective API version: the URL's `/vX.Y` or, when absent, the advertised maximum. */
  version: string
  /** `:name` / `*name` segments of the route path, percent-decoded. */
  params: Record<string, string>
  query: URLSearchParams
  /** Raw query string (without `?`), for handlers that need Go's strict form parsing. */
  rawQuery: string
  api: ApiContext
  /** Aborted when the client goes away (reason `client-gone`) or the server shuts down (reason `shutdown`). */
  signal: AbortSignal
  /** Authorization's filter for this request's answer (`/events` applies `event`). */
  response?: ResponseFilter
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => void | Promise<void>

export interface Route {
  method: HttpMethod
  /** `/_ping`; `:name` matches one segment, a trailing `*name` matches the rest (may be empty). */
  path: string
  /** Requests with an older API version get 400 (moby has no such gate; ours is for plugin routes). */
  minVersion?: string
  handler: RouteHandler
}

export interface DaemonEventActor {
  ID: string
  Attributes: Record<string, string>
}

/** moby `events.Message`. `timeNano` is a bigint: Unix nanoseconds exceed 2^53. */
export interface DaemonEvent {
  Type: string
  Action: string
  Actor: DaemonEventActor
  /** `local` for engine events, `swarm` for cluster events; omitted from JSON when empty. */
  scope: string
  /** Unix seconds. */
  time: number
  /** Unix nanoseconds. */
  timeNano: bigint
}

/** What publishers hand the bus: times and scope are filled in when missing. */
export type DaemonEventInput = Omit<DaemonEvent, 'time' | 'timeNano' | 'scope' | 'Actor'> & {
  Actor: {ID: string; Attributes?: Record<string, string>}
  scope?: string
  time?: number
  timeNano?: bigint | number | string
}

export type EventListener = (event: DaemonEvent) => void

/** The built-in middleware of the request path, in order; plugins add theirs before or after one. */
export type MiddlewarePosition = 'version' | 'identity' | 'authorization' | 'observe' | 'route'

/**
 * One request on its way through the middleware list (version → identity → authorization →
 * observe → route | forward). Also the route handlers' RouteContext.
 */
export interface ApiCall extends RouteContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly method: string
  /** The path without the query and the version prefix, percent-decoded (`/containers/json`). */
  readonly path: string
  /** The request URI as sent (`/v1.50/containers/json?all=1`). */
  readonly uri: string
  /** `1.41` from `/v1.41/...`, '' for a bare path. */
  readonly urlVersion: string
  /** The daemon route's pattern (`/_ping`), or the engine route's (`/containers/{id}/json`) for a forwarded request; '' when none. */
  readonly route: string
  /** True when no daemon route serves the request: it goes to the engine backend (or answers 501 without one). */
  readonly forwarded: boolean
  /** Set for a request that asked to upgrade its connection (attach, exec start, h2c): its socket and the bytes after its head. */
  readonly upgrade?: {socket: Duplex; head: Buffer}
  /** Who sent it (set by the `identity` middleware). */
  identity?: CallerIdentity
  /** What authorization decided (set by the `authorization` middleware when plugins are configured). */
  authz?: AuthzRecord
  /** Answers with dockerd's error body (`{"message":…}`, plain text below API 1.24): the rest of the list is skipped. */
  refuse(status: number, message: string): void
}

/**
 * A middleware of the request path. `request` runs on the way in, in list order, until one
 * answers the request (ends the response, or sends its head): the rest of the list is skipped.
 * `done` runs once the answer is complete (status, bytes and duration known), for every request the
 * router handled, in list order; with no `done` hook in the list and no observer, nothing is timed.
 */
export interface Middleware {
  /** Names it in errors and in the list (unique in the list). */
  name: string
  request?(call: ApiCall): void | Promise<void>
  done?(call: ApiCall, observation: ApiObservation): void
}

/** A plugin's middleware: placed right after or right before one of the built-in positions. */
export interface PluginMiddleware extends Middleware {
  after?: MiddlewarePosition
  before?: MiddlewarePosition
}
