// What the daemon lends its plugins through PluginContext.helpers (always set): every Go
// compatibility function of src/go (strconv, quote, net, netip, url, json, time, csv, fmt), Go's
// errno texts and the Engine API route patterns, so a policy parses a body as the engine will,
// quotes and names errors as dockerd does and names routes as the API does, without copies of its
// own. The same functions are published as `dockerd-ts/go` for code that is not a plugin.
import {compileRoutePattern, engineRouteOf, matchRoutePattern} from '../api/engine-routes.js'
import {errnoText} from '../daemon/dirs.js'
import * as go from '../go/index.js'

export const pluginHelpers = Object.freeze({
  ...go,
  compileRoutePattern,
  engineRouteOf,
  errnoText,
  matchRoutePattern,
})

export type PluginHelpers = typeof pluginHelpers
