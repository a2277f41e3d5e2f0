import {authorizationPlugin} from '../../daemon/authz.js'
import type {DockerdPlugin} from '../types.js'
import {auditPlugin} from './audit.js'
import {enginePlugin} from './engine/index.js'
import {metricsPlugin} from './metrics.js'

/** Plugins built into dockerd: they use the same contract as installed ones. */
export const BUILTIN_PLUGINS: readonly DockerdPlugin[] = [enginePlugin, metricsPlugin, auditPlugin, authorizationPlugin]
