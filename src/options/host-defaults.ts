import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {certDir, defaultPaths, findUserlandProxy} from '../platform/paths.js'
import type {DefaultsContext} from './types.js'

/**
 * Defaults that depend on the host (user, environment, files, PATH), by option name. The option
 * table takes these functions for its entries; the fast `--help` (src/help-fast.ts) fills them
 * into help text rendered at build time, without loading the table. Every default that reads
 * the host belongs here: the build renders the help under two contrasting environments and
 * fails on a difference outside this list (scripts/help-model.mjs).
 */
export const hostDefaults = {
  'config-file': (ctx: DefaultsContext) => defaultPaths(ctx).configFile,
  'data-root': (ctx: DefaultsContext) => defaultPaths(ctx).dataRoot,
  'default-cgroupns-mode': () => (existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'private' : 'host'),
  'exec-root': (ctx: DefaultsContext) => defaultPaths(ctx).execRoot,
  pidfile: (ctx: DefaultsContext) => defaultPaths(ctx).pidfile,
  rootless: (ctx: DefaultsContext) => Boolean(ctx.env.ROOTLESSKIT_STATE_DIR),
  tlscacert: (ctx: DefaultsContext) => join(certDir(ctx.env), 'ca.pem'),
  tlscert: (ctx: DefaultsContext) => join(certDir(ctx.env), 'cert.pem'),
  tlskey: (ctx: DefaultsContext) => join(certDir(ctx.env), 'key.pem'),
  tlsverify: (ctx: DefaultsContext) => Boolean(ctx.env.DOCKER_TLS_VERIFY),
  'userland-proxy-path': (ctx: DefaultsContext) => findUserlandProxy(ctx.env),
} as const satisfies Record<string, (ctx: DefaultsContext) => unknown>

export type HostDefaultName = keyof typeof hostDefaults
