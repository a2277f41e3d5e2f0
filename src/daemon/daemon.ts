// The daemon as an object (moby's DaemonCli): start() brings it up (directories → pidfile → TLS →
// listeners → API → plugins → serving), reload() applies a re-read configuration, stop() shuts it
// down. A start that fails undoes what it created and throws; a reload that fails keeps the old
// configuration. Signals (./signals.ts), the reload policy (./reload.ts), the plugins
// (./plugin-lifecycle.ts) and the API wiring (./api-wiring.ts) live beside it.
import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {closeGracefully, EventBus, serve} from '../api/index.js'
import type {ApiContext, EngineBackend} from '../api/types.js'
import type {DaemonConfig, LoadInput} from '../config/types.js'
import {tracer} from '../log/debug.js'
import {log} from '../log/logger.js'
import type {TargetPlatform} from '../platform/target.js'
import {pluginHelpers} from '../plugins/helpers.js'
import {activePlugins, pluginFailures} from '../plugins/registry.js'
import type {DockerdPlugin, PluginContext} from '../plugins/types.js'
import {buildInfo as buildVersionInfo} from '../version.js'
import {MiddlewareError} from '../api/middleware.js'
import {type ApiServer, createDaemonApi} from './api-wiring.js'
import {type ResolvedAuthz, resolveAuthorization} from './authz.js'
import {ensureRootsSync, rollbackDirs} from './dirs.js'
import {loadOrCreateEngineID} from './engine-id.js'
import {buildInfo} from './info/index.js'
import {type Listeners, openListeners} from './listeners/index.js'
import {configureLogging} from './logging.js'
import {watchMemory} from './memory.js'
import {createPidfile} from './pidfile.js'
import {PluginLifecycle} from './plugin-lifecycle.js'
import {reloadConfig} from './reload.js'
import {notify} from './sd-notify.js'
import {bindSignals} from './signals.js'
import {loadTLSOptions, type ServerTLSOptions} from './tls.js'

// DEBUG=dockerd:daemon (or dockerd:*) traces each start-up step and reload decision.
const trace = tracer('daemon')

export interface RunInput {
  config: DaemonConfig
  /** How the configuration was loaded, so a reload re-reads with the same flags and file. */
  load: LoadInput
  platform: TargetPlatform
}

export interface DaemonOptions {
  /** Install the process's signal handlers once started (the command does; in-process users may not). */
  signals?: boolean
  /** The plugins to run; default: the registry's active ones (a failed load is logged by name). */
  plugins?: readonly DockerdPlugin[]
}

/** A start-up failure, printed on stderr as dockerd prints it. */
export class StartError extends Error {}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed'

export class Daemon {
  readonly events = new EventBus()
  private readonly version = buildVersionInfo()
  private current: DaemonConfig
  private state: State = 'new'
  private readonly plugins: PluginLifecycle
  private readonly loadedFromRegistry: boolean
  /** What stop() (and a failed start) undoes, in reverse; the directories are a failed start's only. */
  private readonly undo: Array<() => unknown> = []
  private listeners?: Listeners
  private server?: ApiServer
  private api?: ApiContext
  private engineID = ''
  private authz: ResolvedAuthz = []
  private engine: EngineBackend | undefined
  private unbindSignals?: () => void
  private readonly stopped: Promise<void>
  private markStopped!: () => void

  constructor(
    private readonly input: RunInput,
    private readonly options: DaemonOptions = {},
  ) {
    this.current = input.config
    this.loadedFromRegistry = options.plugins === undefined
    this.plugins = new PluginLifecycle(options.plugins ?? activePlugins(), log)
    this.stopped = new Promise((resolve) => {
      this.markStopped = resolve
    })
  }

  /** The configuration in effect (a reload replaces it). */
  get config(): DaemonConfig {
    return this.current
  }

  /** `API listen on` addresses of the open listeners. */
  get addresses(): string[] {
    return this.listeners?.listeners.map((l) => l.addr) ?? []
  }

  /** Where SIGUSR1 writes its report. */
  get diagnosticsDir(): string {
    return String(this.current.values['exec-root'] || this.current.values['data-root'])
  }

  private pluginContext(): PluginContext {
    return {config: this.current, events: this.events, helpers: pluginHelpers, log, platform: this.input.platform}
  }

  /**
   * The daemon's start (§6.1, §6.12): directories → pidfile → TLS → listeners → API → plugins,
   * then serving and READY. Anything that fails undoes what this start created and throws a
   * StartError with dockerd's text.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`daemon already ${this.state}`)
    this.state = 'starting'
    const v = () => this.current.values
    configureLogging(this.current)
    log.info('Starting up')
    // A plugin that failed to load is reported by name; the daemon runs without it.
    if (this.loadedFromRegistry) for (const failure of pluginFailures()) log.error(failure.message, {plugin: failure.plugin})
    process.umask(0o022)
    if (v().debug) {
      log.debug(`Max Concurrent Downloads: ${v()['max-concurrent-downloads']}`)
      log.debug(`Max Concurrent Uploads: ${v()['max-concurrent-uploads']}`)
      log.debug(`Max Download Attempts: ${v()['max-download-attempts']}`)
    }

    const dataRoot = v()['data-root']
    const execRoot = v()['exec-root']
    let createdDirs: string[] = []
    try {
      createdDirs = ensureRootsSync([[dataRoot, 0o710], [execRoot, 0o700]])
      trace('data-root %s, exec-root %s (created: %o)', dataRoot, execRoot, createdDirs)
      await this.open(this.current, dataRoot)
    } catch (error) {
      this.state = 'failed'
      await this.rollback()
      rollbackDirs(createdDirs)
      throw error instanceof StartError ? error : new StartError((error as Error).message)
    }

    this.state = 'running'
    if (this.options.signals) this.unbindSignals = bindSignals(this, log)
    // Serve only once every handler is in place: a supervisor may signal as soon as it sees
    // "API listen on".
    for (const l of this.listeners!.listeners) serve(this.server!, l.server, l.host)
    // Gives back what a burst of connections made V8 take, once they left (./memory.ts).
    // Counted where the listeners accept: the connection front's connections too.
    watchMemory(this.listeners!.listeners.map((l) => l.server))
    log.info('Docker daemon', {commit: this.version.commit, version: this.version.version})
    log.info('Daemon has completed initialization')
    for (const l of this.listeners!.listeners) log.info(`API listen on ${l.addr}`)
    void notify('READY=1', {log})
  }

  /** Everything start() creates after the directories, each step registering its undo. */
  private async open(config: DaemonConfig, dataRoot: string): Promise<void> {
    const v = config.values
    const pidfilePath = v.pidfile ?? ''
    if (pidfilePath) {
      try {
        const pidfile = await createPidfile(pidfilePath)
        trace('pidfile %s holds %d', pidfilePath, process.pid)
        this.undo.push(() => pidfile.remove())
      } catch (error) {
        throw new StartError(`failed to start daemon: ${(error as Error).message}`)
      }
    }

    const authz = resolveAuthorization(this.plugins.plugins, config)
    if (typeof authz === 'string') throw new StartError(`failed to start daemon: ${authz}`)
    this.authz = authz

    let tls: ServerTLSOptions | undefined
    if (config.tls.enabled) {
      try {
        tls = await loadTLSOptions({missingDefaults: config.tls.missingDefaults, tlscacert: config.tls.ca, tlscert: config.tls.cert, tlskey: config.tls.key, verify: config.tls.verify})
      } catch (error) {
        throw new StartError(`invalid TLS configuration: ${(error as Error).message}`)
      }
    }

    let listeners: Listeners
    try {
      listeners = await openListeners(config.hosts, {
        log,
        platform: this.input.platform,
        socketGroup: v.group ?? '',
        socketGroupExplicit: config.explicit.has('group') || config.fileKeys.has('group'),
        tls,
        tlsExplicit: config.tls.explicit,
        maxConnections: Number(v['max-connections-per-listener'] ?? 0),
      })
    } catch (error) {
      throw new StartError(`failed to load listeners: ${(error as Error).message}`)
    }

    this.listeners = listeners
    this.undo.push(() => listeners.cleanup())
    const engineIDFile = join(dataRoot, 'engine-id')
    const hadEngineID = existsSync(engineIDFile)
    this.engineID = loadOrCreateEngineID(dataRoot)
    trace('listeners: %o; engine ID %s (%s)', listeners.listeners.map((l) => l.addr), this.engineID, hadEngineID ? 'existing' : 'new')
    // Only a failed start runs this (a clean shutdown keeps the ID: it must be stable).
    this.undo.push(() => {
      if (!hadEngineID && this.state === 'failed') rmSync(engineIDFile, {force: true})
    })
    const version = this.version
    const listenerInfo = listeners.listeners.map((l) => ({addr: l.addr, host: l.host, tls: Boolean(tls), verify: config.tls.verify}))
    try {
      ;({api: this.api, server: this.server} = createDaemonApi({
        authz: () => this.authz,
        config: () => this.current,
        engine: () => this.engine,
        events: this.events,
        info: () =>
          this.plugins.withInfo(
            this.current,
            buildInfo(
              {
                config: this.current,
                engineID: this.engineID,
                eventsListeners: this.events.subscriberCount,
                gitCommit: version.commit,
                listeners: listenerInfo,
                platform: this.input.platform,
                serverVersion: version.version,
              },
            ),
          ),
        platform: this.input.platform,
        plugins: this.plugins.plugins,
      }))
    } catch (error) {
      // A plugin middleware that cannot be placed fails the start (a policy skipped would fail open).
      throw new StartError(error instanceof MiddlewareError ? `failed to start daemon: ${error.message}` : `failed to start API server: ${(error as Error).message}`)
    }

    // Plugins start once the listeners are up; one that fails fails the start (its options are
    // the user's), naming it, and the ones already started are stopped again.
    this.undo.push(() => this.plugins.stopAll(this.pluginContext()))
    try {
      await this.plugins.startAll(this.pluginContext())
    } catch (error) {
      throw new StartError(`failed to start daemon: ${(error as Error).message}`)
    }

    this.engine = this.plugins.engine()
    const observe = this.plugins.observer()
    if (observe) this.api!.observe = observe
  }

  private async rollback(): Promise<void> {
    for (const fn of this.undo.splice(0).reverse()) {
      try {
        await fn()
      } catch (error) {
        log.error('cleanup failed', {error: (error as Error).message})
      }
    }
  }

  /**
   * SIGHUP (§5.2): re-read the configuration with this start's flags and apply what may change
   * now; the authorization plugins and the plugins follow. False when nothing was applied (not
   * running, or the new configuration is broken: the old one stays).
   */
  async reload(): Promise<boolean> {
    if (this.state !== 'running') return false
    const previous = this.current
    const result = reloadConfig(previous, {engineID: this.engineID, events: this.events, load: this.input.load, platform: this.input.platform})
    if (!result) return false
    this.current = result.config
    const authz = resolveAuthorization(this.plugins.plugins, this.current)
    if (typeof authz === 'string') log.error(`authorization not changed: ${authz}`)
    else this.authz = authz
    await this.plugins.reloadAll({...this.pluginContext(), changes: result.changes, previous})
    this.engine = this.plugins.engine()
    return true
  }

  /** Graceful shutdown (§6.12): stop accepting, let requests finish within shutdown-timeout, undo the start. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return this.stopped
    if (this.state !== 'running') return
    this.state = 'stopping'
    const timeout = Number(this.current.values['shutdown-timeout'] ?? 15)
    void notify('STOPPING=1', {log})
    log.debug(`daemon configured with a ${timeout} seconds minimum shutdown timeout`)
    this.events.close()
    await closeGracefully(this.server!, timeout < 0 ? 2_147_483_647 : timeout * 1000)
    await this.rollback()
    log.info('Daemon shutdown complete')
    this.state = 'stopped'
    this.markStopped()
  }

  /** Resolves once stop() has finished. */
  wait(): Promise<void> {
    return this.stopped
  }

  /** Removes the signal handlers (a daemon run in-process by tests or another program). */
  releaseSignals(): void {
    this.unbindSignals?.()
    this.unbindSignals = undefined
  }
}
