import {writeFileSync} from 'node:fs'
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
import type {ApiContext} from '../api/types.js'
import {loadConfig} from '../config/load.js'
import {renderProblems} from '../config/render.js'
import type {DaemonConfig, LoadInput} from '../config/types.js'
import {log} from '../log/logger.js'
import type {Level} from '../log/types.js'
import type {TargetPlatform} from '../platform/target.js'
import {buildInfo as buildVersionInfo} from '../version.js'
import {ensureDirSync, rollbackDirs} from './dirs.js'
import {loadOrCreateEngineID} from './engine-id.js'
import {buildInfo} from './info.js'
import {type Listeners, openListeners} from './listeners.js'
import {createPidfile} from './pidfile.js'
import {reloadAttributes, reloadChanges} from './reload-event.js'
import {notify} from './sd-notify.js'
import {loadTLSOptions, type ServerTLSOptions} from './tls.js'

export interface RunInput {
  config: DaemonConfig
  /** How the configuration was loaded, so SIGHUP reloads with the same flags and file. */
  load: LoadInput
  platform: TargetPlatform
}

/** Reset to their flag/default values on every reload unless the file sets them (§5.2). */
const ALWAYS_RESET = new Set(['feature', 'max-concurrent-downloads', 'max-concurrent-uploads', 'max-download-attempts'])

/** A start-up failure, printed on stderr as dockerd prints it. */
class StartError extends Error {}

const GO_ARCH: Record<string, string> = {arm: 'arm', arm64: 'arm64', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', x64: 'amd64'}
const GO_OS: Record<TargetPlatform, string> = {darwin: 'darwin', freebsd: 'freebsd', linux: 'linux', win32: 'windows'}

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
  process.umask(0o022)
  if (v().debug) {
    log.debug(`Max Concurrent Downloads: ${v()['max-concurrent-downloads']}`)
    log.debug(`Max Concurrent Uploads: ${v()['max-concurrent-uploads']}`)
    log.debug(`Max Download Attempts: ${v()['max-download-attempts']}`)
  }

  // What a failed start must undo; a clean shutdown undoes the same except the directories.
  const undo: Array<() => unknown> = []
  let createdDirs: string[] = []
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
  const events = new EventBus()
  const version = buildVersionInfo()
  let server: ReturnType<typeof createApiServer>
  try {
    createdDirs = [...ensureDirSync(dataRoot, 0o710), ...ensureDirSync(execRoot, 0o700)]
    const pidfilePath = String(v().pidfile ?? '')
    if (pidfilePath) {
      try {
        const pidfile = await createPidfile(pidfilePath)
        undo.push(() => pidfile.remove())
      } catch (error) {
        throw new StartError(`failed to start daemon: ${(error as Error).message}`)
      }
    }

    let tls: ServerTLSOptions | undefined
    if (config.tls.enabled) {
      try {
        tls = await loadTLSOptions({tlscacert: config.tls.ca, tlscert: config.tls.cert, tlskey: config.tls.key, verify: config.tls.verify})
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
      })
    } catch (error) {
      throw new StartError(`failed to load listeners: ${(error as Error).message}`)
    }

    undo.push(() => listeners.cleanup())
    engineID = loadOrCreateEngineID(dataRoot)
    const api: ApiContext = {
      arch: GO_ARCH[arch()] ?? arch(),
      events,
      experimental: () => Boolean(v().experimental),
      features: () => (v().feature ?? {}) as Record<string, boolean>,
      gitCommit: version.commit,
      info: (apiVersion) =>
        buildInfo(
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
        ),
      log,
      maxApiVersion: MAX_API_VERSION,
      minApiVersion: minApiVersion(config),
      os: GO_OS[input.platform],
      serverVersion: version.version,
    }
    try {
      server = createApiServer(api, systemRoutes())
    } catch (error) {
      throw new StartError(`failed to start API server: ${(error as Error).message}`)
    }
  } catch (error) {
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
    process.on('SIGUSR1', () => dumpDiagnostics(execRoot || dataRoot))
    process.on('SIGHUP', () => {
      if (stopping) return
      config = reload(config, input, events, engineID)
    })
    // Serve only once every handler is in place: a supervisor may signal as soon as it sees
    // "API listen on".
    for (const l of listeners.listeners) serve(server, l.server)
    log.info('Docker daemon', {commit: version.commit, version: version.version})
    log.info('Daemon has completed initialization')
    for (const l of listeners.listeners) log.info(`API listen on ${l.addr}`)
    void notify('READY=1', {log})
  })
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

  const changes = reloadChanges(current, {...current, values: proposed}, (name) => Boolean(table.byName.get(name)?.reloadable))
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

  log.info('Reloaded configuration', {config: JSON.stringify(sortedValues(next))})
  events.publish({Action: 'reload', Actor: {Attributes: reloadAttributes(next, hostname(), input.platform), ID: engineID}, Type: 'daemon', scope: 'local'})
  done()
  return next
}

function sortedValues(config: DaemonConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config.values).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** SIGUSR1: a Node diagnostic report (without environment variables) in exec-root; never the inspector. */
function dumpDiagnostics(dir: string): void {
  const stamp = new Date().toISOString().replaceAll(':', '').replace(/\.\d+Z$/, 'Z')
  const path = join(dir, `dockerd-report-${stamp}.json`)
  try {
    const report = process.report.getReport() as unknown as Record<string, unknown>
    delete report.environmentVariables
    writeFileSync(path, JSON.stringify(report, null, 2), {mode: 0o644})
    log.info(`diagnostics report written to ${path}`)
  } catch (error) {
    log.error('failed to write diagnostics report', {error: (error as Error).message})
  }
}
