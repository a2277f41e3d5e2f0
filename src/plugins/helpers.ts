// What the daemon lends its plugins through PluginContext.helpers: its Go-compatible JSON field
// lookup and the Engine API route patterns, so a policy parses a body as the engine will and
// names routes as the API does, without copies of its own.
import {compileRoutePattern, engineRouteOf, matchRoutePattern} from '../api/engine-routes.js'
import {goCleanPath, goField, goFoldEqual, GoObject, goMapEntries, lineAt, parseGoJson} from '../go/json.js'

export const pluginHelpers = {
  compileRoutePattern,
  engineRouteOf,
  goCleanPath,
  goField,
  goFoldEqual,
  goMapEntries,
  GoObject,
  lineAt,
  matchRoutePattern,
  parseGoJson,
}

export type PluginHelpers = typeof pluginHelpers
