import {existsSync, rmSync} from 'node:fs'
import {arch, hostname} from 'node:os'
import {join} from 'node:path'

import {
  closeGracefully,
  createApiServer,
  DEFAULT_MIN_API_VERSION,
  EventBus,
  MAX_API_VERSION,
  serve,
  systemRoutes,
} from '../api/index.js'
import {mergeEngineInfo, NO_ENGINE_WARNING} from '../api/engine-info.js'
import type {ApiContext, EngineBackend} from '../api/types.js'
import {versionLessThan} from '../api/versions.js'
import {loadConfig} from '../config/load.js'
import {renderProblems} from '../config/render.js'
import type {DaemonConfig, LoadInput} from '../config/types.js'
import {tracer} from '../log/debug.js'
import {log} from '../log/logger.js'
import type {Level} from '../log/types.js'
import {goos, type TargetPlatform} from '../platform/target.js'
import {maskSensitive} from '../opts/validators.js'
import {buildInfo as buildVersionInfo} from '../version.js'
import {dumpDiagnostics} from './diagnostics.js'
import {ensureRootsSync, rollbackDirs} from './dirs.js'
import {loadOrCreateEngineID} from './engine-id.js'
import {buildInfo} from './info.js'
import {type Listeners, openListeners} from './listeners.js'
import {createPidfile} from './pidfile.js'
import {reloadAttributes, reloadChanges} from './reload-event.js'
import {notify} from './sd-notify.js'
import {loadTLSOptions, type ServerTLSOptions} from './tls.js'
import {activePlugins, pluginFailures} from '../plugins/registry.js'
import {pluginHelpers} from '../plugins/helpers.js'
import type {DockerdPlugin, PluginContext} from '../plugins/types.js'
import {bodyLimitOf, createAuthorizer, resolveAuthorization} from './authz.js'
import {createRouter} from '../api/router.js'

export interface RunInput {
  config: DaemonConfig
  /** How the configuration was loaded, so SIGHUP reloads with the same flags and file. */
  load: LoadInput
  platform: TargetPlatform
}

// DEBUG=dockerd:daemon (or dockerd:*) traces each start-up step and reload decision.
const trace = tracer('daemon')

/** Reset to their flag/default values on every reload unless the file sets them (§5.2). */
const ALWAYS_RESET = new Set(['feature', 'max-concurrent-downloads', 'max-concurrent-uploads', 'max-download-attempts'])

/** A start-up failure, printed on stderr as dockerd prints it. */
class StartError extends Error {}

const GO_ARCH: Record<string, string> = {arm: 'arm', arm64: 'arm64', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', x64: 'amd64'}

/** Logging as the merged configuration says: -D wins over --log-level (§3.1). */
export function configureLogging(config: DaemonConfig): void {
  const v = config.values
  const wanted = String(v['log-level'] || 'info').toLowerCase()
  const level = (v.debug ? 'debug' : wanted === 'warning' ? 'warn' : wanted) as Level
  log.configure({format: v['log-format'] === 'json' ? 'json' : 'text', level, rawLogs: Boolean(v['raw-logs'])})
}

/**
 * The daemon's life (§6.1, §6.12): directories → pidfile → TLS → listeners → API → ready, then
 * signals until shutdown. Anything that fails undoes what this start created and returns 1.
 */
export async function runDaemon(input: RunInput): Promise<number> {
  let config = input.config
  const v = () => config.values
  configureLogging(config)
  log.info('Starting up')
  // A plugin that failed to load is reported by name; the daemon runs without it.
  for (const failure of pluginFailures()) log.error(failure.message, {plugin: failure.plugin})
  const plugins = activePlugins()
  const events = new EventBus()
  const pluginCtx = (): PluginContext => ({config, events, helpers: pluginHelpers, log, platform: input.platform})
  const started: DockerdPlugin[] = []
  process.umask(0o022)
  if (v().debug) {
    log.debug(`Max Concurrent Downloads: ${v()['max-concurrent-downloads']}`)
    log.debug(`Max Concurrent Uploads: ${v()['max-concurrent-uploads']}`)
    log.debug(`Max Download Attempts: ${v()['max-download-attempts']}`)
  }

  // What a failed start must undo; a clean shutdown undoes the same except the directories.
  const undo: Array<() => unknown> = []
  let createdDirs: string[] = []
  let failedStart = false
  const rollback = async () => {
    for (const fn of undo.reverse()) {
      try {
        await fn()
      } catch (error) {
        log.error('cleanup failed', {error: (error as Error).message})
      }
    }

    undo.length = 0
  }

  const dataRoot = String(v()['data-root'])
  const execRoot = String(v()['exec-root'])
  let listeners: Listeners
  let engineID: string
  const version = buildVersionInfo()
  let server: ReturnType<typeof createApiServer>
  let reconfigureAuthz = () => {}
  // The engine backend in use (a plugin's, once started; a reload may change or remove it).
  let engine: EngineBackend | undefined
  const findEngine = () => {
    for (const p of started) {
      const backend = p.engine?.()
      if (backend) return backend
    }

    return undefined
  }
  try {
    createdDirs = ensureRootsSync([[dataRoot, 0o710], [execRoot, 0o700]])
    trace('data-root %s, exec-root %s (created: %o)', dataRoot, execRoot, createdDirs)
    const pidfilePath = String(v().pidfile ?? '')
    if (pidfilePath) {
      try {
        const pidfile = await createPidfile(pidfilePath)
        trace('pidfile %s holds %d', pidfilePath, process.pid)
        undo.push(() => pidfile.remove())
      } catch (error) {
        throw new StartError(`failed to start daemon: ${(error as Error).message}`)
      }
    }

    let authz = resolveAuthorization(plugins, config)
    if (typeof authz === 'string') throw new StartError(`failed to start daemon: ${authz}`)

    let tls: ServerTLSOptions | undefined
    if (config.tls.enabled) {
      try {
        tls = await loadTLSOptions({missingDefaults: config.tls.missingDefaults, tlscacert: config.tls.ca, tlscert: config.tls.cert, tlskey: config.tls.key, verify: config.tls.verify})
      } catch (error) {
        throw new StartError(`invalid TLS configuration: ${(error as Error).message}`)
      }
    }

    try {
      listeners = await openListeners(config.hosts, {
        log,
        platform: input.platform as NodeJS.Platform,
        socketGroup: String(v().group ?? ''),
        socketGroupExplicit: config.explicit.has('group') || config.fileKeys.has('group'),
        tls,
        tlsExplicit: config.tls.explicit,
        maxConnections: Number(v()['max-connections-per-listener'] ?? 0),
      })
    } catch (error) {
      throw new StartError(`failed to load listeners: ${(error as Error).message}`)
    }

    undo.push(() => listeners.cleanup())
    const engineIDFile = join(dataRoot, 'engine-id')
    const hadEngineID = existsSync(engineIDFile)
    engineID = loadOrCreateEngineID(dataRoot)
    trace('listeners: %o; engine ID %s (%s)', listeners.listeners.map((l) => l.addr), engineID, hadEngineID ? 'existing' : 'new')
    // Only a failed start runs this (a clean shutdown keeps the ID: it must be stable).
    undo.push(() => {
      if (!hadEngineID && failedStart) rmSync(engineIDFile, {force: true})
    })
    const ownInfo = (apiVersion: string) =>
      withPluginInfo(plugins, config, buildInfo(
        {
          config,
          engineID,
          eventsListeners: events.subscriberCount,
          gitCommit: version.commit,
          listeners: listeners.listeners.map((l) => ({addr: l.addr, host: l.host, tls: Boolean(tls), verify: config.tls.verify})),
          platform: input.platform,
          serverVersion: version.version,
        },
        apiVersion,
      ))
    const minApi = minApiVersion(config)
    const api: ApiContext = {
      arch: GO_ARCH[arch()] ?? arch(),
      components: () => engine?.components() ?? [],
      get engine() {
        return engine
      },
      events,
      experimental: () => Boolean(v().experimental),
      features: () => (v().feature ?? {}) as Record<string, boolean>,
      gitCommit: version.commit,
      buildTime: version.buildTime,
      authorize: createAuthorizer({bodyLimit: () => bodyLimitOf(v()['authorization-body-limit']), engine: () => engine, handlers: () => authz as Exclude<typeof authz, string>, log}),
      async info(apiVersion) {
        const ours = ownInfo(apiVersion)
        const backend = engine
        if (!backend) return mergeEngineInfo(ours, undefined, NO_ENGINE_WARNING)
        return mergeEngineInfo(ours, await backend.info(apiVersion), backend.warning())
      },
      log,
      // In front of an engine, the lower of its maximum and ours: a client that negotiated above
      // what the engine speaks would have its forwarded requests refused (engine-api-proxy §4).
      get maxApiVersion() {
        return advertisedApiVersion(engine?.ping()?.apiVersion, minApi)
      },
      minApiVersion: minApi,
      os: goos(input.platform),
      serverVersion: version.version,
    }
    try {
      server = createApiServer(api, pluginRoutes(plugins))
    } catch (error) {
      throw new StartError(`failed to start API server: ${(error as Error).message}`)
    }

    // Plugins start once the listeners are up; one that fails fails the start (its options are
    // the user's), naming it, and the ones already started are stopped again.
    undo.push(() => stopPlugins(started, pluginCtx()))
    for (const plugin of plugins) {
      if (!plugin.start) {
        started.push(plugin)
        continue
      }

      try {
        trace('starting plugin %s', plugin.name)
        await plugin.start(pluginCtx())
        started.push(plugin)
      } catch (error) {
        throw new StartError(`failed to start daemon: plugin ${plugin.name}: ${(error as Error).message}`)
      }
    }

    engine = findEngine()
    const observers = plugins.filter((p) => p.observe && (p.observing?.() ?? true))
    if (observers.length > 0) api.observe = (o) => {
      for (const p of observers) {
        try {
          p.observe!(o)
        } catch {}
      }
    }

    reconfigureAuthz = () => {
      const next = resolveAuthorization(plugins, config)
      if (typeof next === 'string') log.error(`authorization not changed: ${next}`)
      else authz = next
    }
  } catch (error) {
    failedStart = true
    await rollback()
    rollbackDirs(createdDirs)
    process.stderr.write(`${(error as Error).message}\n`)
    return 1
  }

  return new Promise<number>((resolve) => {
    let stopping = false
    let interrupts = 0
    const shutdown = async () => {
      stopping = true
      const timeout = Number(v()['shutdown-timeout'] ?? 15)
      void notify('STOPPING=1', {log})
      log.debug(`daemon configured with a ${timeout} seconds minimum shutdown timeout`)
      events.close()
      await closeGracefully(server, timeout < 0 ? 2_147_483_647 : timeout * 1000)
      await rollback()
      log.info('Daemon shutdown complete')
      // The handlers stay until exit, so a late signal is counted rather than killing the process.
      resolve(0)
    }

    const onStop = (signal: NodeJS.Signals, number: number) => {
      log.info(`Processing signal '${signal === 'SIGINT' ? 'interrupt' : 'terminated'}'`)
      interrupts++
      if (interrupts === 1) {
        void shutdown()
        return
      }

      // dockerd counts the 2nd and 3rd and forces exit on the 4th (§6.11).
      if (interrupts >= 4) {
        log.info('Forcing docker daemon shutdown without cleanup; 3 interrupts received')
        process.exit(128 + number)
      }
    }

    process.on('SIGINT', () => onStop('SIGINT', 2))
    process.on('SIGTERM', () => onStop('SIGTERM', 15))
    process.removeAllListeners('SIGUSR1')
    process.on('SIGUSR1', () => dumpDiagnostics(execRoot || dataRoot, log))
    process.on('SIGHUP', () => {
      if (stopping) return
      const previous = config
      config = reload(config, input, events, engineID)
      if (config !== previous) {
        reconfigureAuthz()
        void reloadPlugins(started, {...pluginCtx(), changes: lastChanges, previous}).then(() => {
          engine = findEngine()
        })
      }
    })
    // Serve only once every handler is in place: a supervisor may signal as soon as it sees
    // "API listen on".
    for (const l of listeners.listeners) serve(server, l.server, l.host)
    log.info('Docker daemon', {commit: version.commit, version: version.version})
    log.info('Daemon has completed initialization')
    for (const l of listeners.listeners) log.info(`API listen on ${l.addr}`)
    void notify('READY=1', {log})
  })
}

let lastChanges: {applied: string[]; needRestart: string[]} = {applied: [], needRestart: []}

/** Routes: the system router's, then each plugin's; a plugin route that collides is refused by name. */
function pluginRoutes(plugins: readonly DockerdPlugin[]) {
  const router = createRouter(systemRoutes())
  for (const plugin of plugins) {
    for (const route of plugin.routes ?? []) {
      try {
        router.add(route)
      } catch (error) {
        log.error(`plugin ${plugin.name}: route ${route.method} ${route.path} refused: ${(error as Error).message}`, {plugin: plugin.name})
      }
    }
  }

  return router
}

/** /info with each plugin's entries; the daemon's own fields win. */
function withPluginInfo(plugins: readonly DockerdPlugin[], config: DaemonConfig, info: Record<string, unknown>): Record<string, unknown> {
  const extra: Record<string, unknown> = {}
  for (const plugin of plugins) {
    if (!plugin.info) continue
    try {
      Object.assign(extra, plugin.info(config))
    } catch (error) {
      log.error('plugin info failed', {error: (error as Error).message, plugin: plugin.name})
    }
  }

  return Object.keys(extra).length === 0 ? info : {...extra, ...info}
}

async function reloadPlugins(plugins: readonly DockerdPlugin[], ctx: Parameters<NonNullable<DockerdPlugin['reload']>>[0]) {
  for (const plugin of plugins) {
    try {
      await plugin.reload?.(ctx)
    } catch (error) {
      log.error('plugin reload failed', {error: (error as Error).message, plugin: plugin.name})
    }
  }
}

async function stopPlugins(plugins: readonly DockerdPlugin[], ctx: PluginContext) {
  for (const plugin of [...plugins].reverse()) {
    try {
      await plugin.shutdown?.(ctx)
    } catch (error) {
      log.error('plugin shutdown failed', {error: (error as Error).message, plugin: plugin.name})
    }
  }
}

/** Our maximum API version, lowered to the engine's (never below our minimum). */
export function advertisedApiVersion(engineVersion: string | undefined, min: string): string {
  if (!engineVersion || !/^\d+\.\d+$/.test(engineVersion) || !versionLessThan(engineVersion, MAX_API_VERSION)) return MAX_API_VERSION
  return versionLessThan(engineVersion, min) ? min : engineVersion
}

/** DOCKER_MIN_API_VERSION, else the file's min-api-version, else the default (§4.6). */
function minApiVersion(config: DaemonConfig): string {
  return process.env.DOCKER_MIN_API_VERSION || String(config.values['min-api-version'] || '') || DEFAULT_MIN_API_VERSION
}

/**
 * SIGHUP (§5.2): re-read the file with this start's flags; on any problem log it and keep the old
 * configuration. Otherwise apply the reloadable options (log-level too, which dockerd does not),
 * say which changed and which need a restart, and emit `daemon reload`.
 */
function reload(current: DaemonConfig, input: RunInput, events: EventBus, engineID: string): DaemonConfig {
  const {load} = input
  log.info('Got signal to reload configuration', {'config-file': load.configFile})
  void notify(`RELOADING=1\nMONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`, {log})
  const done = () => void notify('READY=1', {log})
  const result = loadConfig(load)
  if (!result.config) {
    log.error('Error reloading configuration', {error: renderProblems(result.problems).trimEnd()})
    done()
    return current
  }

  // Like dockerd, only what the new file states changes, except the options it always resets.
  const table = load.table
  const proposed: Record<string, unknown> = {...current.values}
  for (const name of Object.keys(proposed)) {
    if (result.config.fileKeys.has(name) || ALWAYS_RESET.has(name)) proposed[name] = result.config.values[name]
  }

  const changes = reloadChanges(current, {...current, values: proposed as DaemonConfig['values']}, (name) => Boolean(table.byName.get(name)?.reloadable))
  trace('reload: keys in the file %o, applied %o, need a restart %o', [...result.config.fileKeys].sort(), changes.applied, changes.needRestart)
  lastChanges = changes
  const values = {...current.values}
  for (const name of changes.applied) values[name] = proposed[name]
  const next: DaemonConfig = {...current, fileKeys: result.config.fileKeys, values}
  configureLogging(next)
  const say = (label: string, name: string) => log.debug(`Reset ${label}: ${values[name]}`)
  say('Max Concurrent Downloads', 'max-concurrent-downloads')
  say('Max Concurrent Uploads', 'max-concurrent-uploads')
  say('Max Download Attempts', 'max-download-attempts')
  if (next.fileKeys.has('shutdown-timeout')) say('Shutdown Timeout', 'shutdown-timeout')
  if (next.fileKeys.has('default-stop-timeout')) say('Default Stop Timeout', 'default-stop-timeout')
  if (changes.applied.length > 0) log.info('Reloaded options', {options: changes.applied.join(',')})
  if (changes.needRestart.length > 0) {
    log.warn('Options changed in the configuration file take effect only after a restart', {options: changes.needRestart.join(',')})
  }

  log.info('Reloaded configuration', {config: JSON.stringify(sortedValues(next, table))})
  events.publish({Action: 'reload', Actor: {Attributes: reloadAttributes(next, hostname(), input.platform), ID: engineID}, Type: 'daemon', scope: 'local'})
  done()
  return next
}

/** The configuration as the reload line prints it: sorted, unset values left out, secrets masked. */
function sortedValues(config: DaemonConfig, table: LoadInput['table']): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config.values)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, x]) => {
        const entry = table.byName.get(name)
        return [name, entry && typeof x === 'string' ? maskSensitive(entry, x) : x]
      }),
  )
}
