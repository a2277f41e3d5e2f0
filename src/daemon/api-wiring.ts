// Where the daemon meets the API layer: the ApiContext, the router (system routes, then each
// plugin's) and the server, built in one place.
import {arch} from 'node:os'

import {createApiServer, createRouter, DEFAULT_MIN_API_VERSION, type EventBus, MAX_API_VERSION, systemRoutes} from '../api/index.js'
import {mergeEngineInfo, NO_ENGINE_WARNING} from '../api/engine-info.js'
import type {ApiContext, EngineBackend} from '../api/types.js'
import {versionLessThan} from '../api/versions.js'
import type {DaemonConfig} from '../config/types.js'
import {log} from '../log/logger.js'
import type {TargetPlatform} from '../platform/target.js'
import {platformOf} from '../platform/platform.js'
import type {DockerdPlugin} from '../plugins/types.js'
import {buildInfo as buildVersionInfo} from '../version.js'
import {bodyLimitOf, createAuthorizer, type ResolvedAuthz} from './authz.js'

export type ApiServer = ReturnType<typeof createApiServer>

/** What the API needs of a running daemon, read at request time (a reload may change each). */
export interface DaemonApiParts {
  config(): DaemonConfig
  engine(): EngineBackend | undefined
  authz(): ResolvedAuthz
  /** The daemon's own /info (plugins' entries included), unshaped: the API layer shapes it per version. */
  info(): Record<string, unknown>
  events: EventBus
  platform: TargetPlatform
  plugins: readonly DockerdPlugin[]
}

const GO_ARCH: Record<string, string> = {arm: 'arm', arm64: 'arm64', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', x64: 'amd64'}

/** The API context, router and server of a daemon; the server owns no listener yet. Throws on a bad version range. */
export function createDaemonApi(parts: DaemonApiParts): {api: ApiContext; server: ApiServer} {
  const v = () => parts.config().values
  const version = buildVersionInfo()
  const minApi = minApiVersion(parts.config())
  let advertised = {engineVersion: undefined as string | undefined, version: advertisedApiVersion(undefined, minApi)}
  const api: ApiContext = {
    arch: GO_ARCH[arch()] ?? arch(),
    components: () => parts.engine()?.components() ?? [],
    get engine() {
      return parts.engine()
    },
    events: parts.events,
    experimental: () => Boolean(v().experimental),
    features: () => v().feature ?? {},
    gitCommit: version.commit,
    buildTime: version.buildTime,
    authorize: createAuthorizer({bodyLimit: () => bodyLimitOf(v()['authorization-body-limit']), engine: parts.engine, handlers: parts.authz, log}),
    authorizing: () => parts.authz().length > 0,
    async info(apiVersion) {
      const ours = parts.info()
      const backend = parts.engine()
      if (!backend) return mergeEngineInfo(ours, undefined, NO_ENGINE_WARNING)
      return mergeEngineInfo(ours, await backend.info(apiVersion), backend.warning())
    },
    log,
    // In front of an engine, the lower of its maximum and ours: a client that negotiated above
    // what the engine speaks would have its forwarded requests refused (engine-api-proxy §4).
    get maxApiVersion() {
      // Asked on every request (the version middleware): computed again only when the engine's
      // version changes.
      const engineVersion = parts.engine()?.ping()?.apiVersion
      if (engineVersion !== advertised.engineVersion) advertised = {engineVersion, version: advertisedApiVersion(engineVersion, minApi)}
      return advertised.version
    },
    minApiVersion: minApi,
    os: platformOf(parts.platform).goos,
    serverVersion: version.version,
  }
  // The plugins' middleware joins the request path at its named positions (MiddlewareError otherwise).
  const middleware = parts.plugins.filter((p) => p.middleware).map((p) => ({middleware: p.middleware!, plugin: p.name}))
  return {api, server: createApiServer(api, pluginRoutes(parts.plugins), {middleware})}
}

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

/** Our maximum API version, lowered to the engine's (never below our minimum). */
export function advertisedApiVersion(engineVersion: string | undefined, min: string): string {
  if (!engineVersion || !/^\d+\.\d+$/.test(engineVersion) || !versionLessThan(engineVersion, MAX_API_VERSION)) return MAX_API_VERSION
  return versionLessThan(engineVersion, min) ? min : engineVersion
}

/** DOCKER_MIN_API_VERSION, else the file's min-api-version, else the default (§4.6). */
function minApiVersion(config: DaemonConfig): string {
  return process.env.DOCKER_MIN_API_VERSION || config.values['min-api-version'] || DEFAULT_MIN_API_VERSION
}
