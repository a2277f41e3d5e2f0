import {existsSync} from 'node:fs'
import {delimiter, join} from 'node:path'

import type {DefaultsContext} from '../options/types.js'
import {platformOf} from './platform.js'
import type {DefaultPaths} from './types.js'
import {home} from './home.js'

export type {DefaultPaths} from './types.js'

/** Pure given its context: the file-system defaults of dockerd for the target OS and user. */
export function defaultPaths(ctx: DefaultsContext, exists: (p: string) => boolean = existsSync): DefaultPaths {
  return platformOf(ctx.platform).defaultPaths(ctx, exists)
}

/** Where the TLS files are looked for: $DOCKER_CERT_PATH, else $DOCKER_CONFIG, else ~/.docker. */
export function certDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CERT_PATH || env.DOCKER_CONFIG || join(home(env), '.docker')
}

/**
 * Per-user defaults for any non-root user (a non-root daemon cannot write /var/run) and under
 * RootlessKit, as moby does. DOCKERD_ROOTLESS=1|0 forces the choice (tests, packaging).
 */
export function isRootless(env: NodeJS.ProcessEnv = process.env, uid = typeof process.getuid === 'function' ? process.getuid() : 0): boolean {
  if (env.DOCKERD_ROOTLESS === '1') return true
  if (env.DOCKERD_ROOTLESS === '0') return false
  return uid !== 0 || Boolean(env.ROOTLESSKIT_STATE_DIR)
}

export function defaultsContext(platform: DefaultsContext['platform'], env: NodeJS.ProcessEnv = process.env): DefaultsContext {
  return {env, platform, rootless: platformOf(platform).rootlessDefaults && isRootless(env)}
}

const PROXY_DIRS = ['/usr/local/libexec/docker', '/usr/libexec/docker', '/usr/local/lib/docker', '/usr/lib/docker', '/usr/local/libexec', '/usr/libexec']

/** dockerd's default --userland-proxy-path: docker-proxy from the libexec dirs, then PATH; '' when absent. */
export function findUserlandProxy(env: NodeJS.ProcessEnv): string {
  const dirs = [...PROXY_DIRS, ...(env.PATH ?? '').split(delimiter).filter(Boolean)]
  for (const dir of dirs) {
    const candidate = join(dir, 'docker-proxy')
    if (existsSync(candidate)) return candidate
  }

  return ''
}
