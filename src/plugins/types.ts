import type {IncomingMessage} from 'node:http'

import type {EventBus} from '../api/events.js'
import type {ApiObservation, CallerIdentity, EngineBackend, PluginMiddleware, ResponseFilter, Route} from '../api/types.js'
import type {PluginHelpers} from './helpers.js'
import type {DaemonConfig} from '../config/types.js'
import type {LogSink} from '../log/types.js'
import type {FlagSet} from '../options/types.js'
import type {TargetPlatform} from '../platform/target.js'
import type {Initializer} from '../reexec/types.js'

/** What the daemon hands a plugin's lifecycle hooks. */
export type PluginLog = LogSink

export interface PluginContext {
  config: DaemonConfig
  events: EventBus
  log: PluginLog
  platform: TargetPlatform
  /**
   * Always set: the daemon's Go-compatibility functions (src/go: parseGoJson, goField,
   * goMapEntries, goCleanPath, goQuote, parseGoInt, parseGoBool, splitHostPort, parseGoURL,
   * formatRFC3339Nano, readGoCSVRecord, ...), `errnoText` (Go's text for a Node system error) and
   * the route patterns (compileRoutePattern, matchRoutePattern, engineRouteOf), so a plugin
   * decides on a body as the engine parses it and words its errors as dockerd does.
   */
  helpers: PluginHelpers
}

export interface ReloadContext extends PluginContext {
  /** Option names whose value the reload changed (applied) or that need a restart. */
  changes: {applied: string[]; needRestart: string[]}
  previous: DaemonConfig
}

/** One API request as an authorization plugin sees it (dockerd's AuthZ request, with more). */
export interface AuthorizationRequest {
  method: string
  /** The path without the version prefix (`/containers/json`). */
  path: string
  /** The request URI as sent (`/v1.50/containers/json?all=1`). */
  uri: string
  /** The route in the API's own terms (`/containers/{id}/json`), or undefined for a path no route knows. */
  route?: string
  /** Who sent it and through which listener (always set; see CallerIdentity). */
  identity: CallerIdentity
  /** dockerd's AuthZ user: the verified TLS client certificate's name (identity.name), or ''. */
  user: string
  /** 'TLS' when `user` comes from a verified client certificate, '' otherwise (dockerd's AuthN method). */
  userAuthNMethod: '' | 'TLS'
  headers: IncomingMessage['headers']
  /**
   * The request body, exactly the bytes the engine will receive, on routes whose body is JSON
   * (container create and update, exec create, volume and network create, ...); undefined when
   * it is empty or the route takes no JSON body. Parse it with `ctx.helpers.parseGoJson`.
   */
  body?: Buffer
  /** Look-ups at the engine (undefined without one): `/containers/ID/json`, `/exec/ID/json`. */
  engine?: {getJson(path: string): Promise<{status: number; body: unknown}>}
}

export interface AuthorizationResult {
  allow: boolean
  /** Shown to the client after `authorization denied by plugin <name>: `. */
  msg?: string
  /** The rule that decided, named in the audit log. */
  rule?: string
  /** A denial answered as if the object did not exist: 404 with `msg` (`No such container: abc`) as the message. */
  notFound?: boolean
  /** Allowed, with the answer filtered to what the caller may see (the response hook). */
  response?: ResponseFilter
}

/** Enabled by `--authorization-plugin=<name>` (the key under `authorization`). */
export type AuthorizationHandler = (req: AuthorizationRequest) => AuthorizationResult | Promise<AuthorizationResult>

/**
 * Called after each API request is answered (metrics, audit). Must not throw or block. Carries the
 * caller's `identity` and what authorization decided (`authz`).
 */
export type RequestObservation = ApiObservation

/**
 * The plugin contract (DESIGN.md "Flag sets and plugins"). Built-in sets and installed plugins use
 * the same shape. Everything is optional; a plugin that throws is reported by name and skipped,
 * never taking the daemon's own flags or routes down.
 */
export interface DockerdPlugin {
  /** Names the plugin in errors and logs (installed plugins: the package name). */
  name: string
  /** Options (with their daemon.json keys, validators and help group), per target OS. */
  flagSets?: readonly FlagSet[]
  /** Engine API routes, under the version router; `minVersion` per route. */
  routes?: readonly Route[]
  /**
   * Middleware of the request path, each right `after` or `before` a built-in position (version,
   * identity, authorization, observe, route); one at an unknown position fails the start, naming
   * the plugin. See docs/plugins.md.
   */
  middleware?: readonly PluginMiddleware[]
  /** Lifecycle hooks. `start` runs after the listeners are up, before "Daemon has completed initialization". */
  start?(ctx: PluginContext): void | Promise<void>
  reload?(ctx: ReloadContext): void | Promise<void>
  shutdown?(ctx: PluginContext): void | Promise<void>
  /** Reexec initializers this plugin registers (name → lazy loader). */
  reexec?: Readonly<Record<string, () => Promise<Initializer>>>
  /** Authorization handlers by the name `--authorization-plugin` uses. */
  authorization?: Readonly<Record<string, AuthorizationHandler>>
  /** Entries added to `/info` (top-level keys; core fields cannot be overridden). */
  info?(config: DaemonConfig): Record<string, unknown>
  /** Observes every answered API request. */
  observe?(request: RequestObservation): void
  /** Whether `observe` wants requests now (checked after start): timing requests is not free. */
  observing?(): boolean
  /**
   * The engine backend this plugin provides, when configured (after start; may change on reload):
   * requests no route serves are forwarded to it. The first plugin that returns one is used.
   */
  engine?(): EngineBackend | undefined
}

/**
 * What an installed plugin's `dockerd:plugin` hook (package.json `oclif.hooks`) returns:
 * the plugin, or a function of the target OS returning it. The host passes its oclif `Flags`
 * helpers so a plugin needs no @oclif/core dependency of its own.
 */
export type PluginFactory = (opts: {platform: TargetPlatform}) => DockerdPlugin | Promise<DockerdPlugin>
