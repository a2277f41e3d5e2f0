// Public surface of the Engine API module (what src/daemon and plugins import).
export {matchAcceptStrict} from './accept.js'
export {ApiError, conflict, invalidParameter, notFound, notImplemented, unavailable} from './errors.js'
export {EVENTS_HISTORY_LIMIT, EventBus, serializeEvent} from './events.js'
export {eventMatches, parseFilters} from './filters.js'
export {assembleMiddleware, MIDDLEWARE_POSITIONS, MiddlewareError} from './middleware.js'
export type {MiddlewareContribution} from './middleware.js'
export {goJson, writeError, writeJson} from './respond.js'
export {ABORT_CLIENT_GONE, ABORT_SHUTDOWN, createRouter} from './router.js'
export type {RouteMatch, Router} from './router.js'
export {builderVersion, buildVersionResponse, RUNTIME_VERSION, systemRoutes} from './routes/system.js'
export {closeGracefully, connectionCount, createApiServer, DEFAULT_SERVER_OPTIONS, middlewareOf, routerOf, serve} from './server.js'
export type {ApiServerOptions} from './server.js'
export {nowUnixNano, parseUnixTimestamp} from './timestamp.js'
export type * from './types.js'
export {
  checkRequestVersion,
  checkVersionRange,
  compareVersions,
  DEFAULT_MIN_API_VERSION,
  MAX_API_VERSION,
  MIN_API_VERSION,
} from './versions.js'
