import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join, win32} from 'node:path'

import type {DefaultsContext} from '../options/types.js'

export interface DefaultPaths {
  configFile: string
  /** The default -H (`unix:///var/run/docker.sock`, `npipe:////./pipe/docker_engine`). */
  host: string
  dataRoot: string
  execRoot: string
  pidfile: string
  /** The default socket or pipe path of `host`. */
  socket: string
}

// Per-user defaults follow rootless dockerd, so a non-root user can start the daemon as is.
function runtimeDir(env: NodeJS.ProcessEnv, exists: (p: string) => boolean, uid = typeof process.getuid === 'function' ? process.getuid() : 0): string {
  if (env.XDG_RUNTIME_DIR) return env.XDG_RUNTIME_DIR
  const run = join('/run/user', String(uid))
  return exists(run) ? run : join(home(env), '.docker', 'run')
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir()
}

/** Pure given its context: the file-system defaults of dockerd for the target OS and user. */
export function defaultPaths(ctx: DefaultsContext, exists: (p: string) => boolean = existsSync): DefaultPaths {
  const {env, platform, rootless} = ctx
  if (platform === 'win32') {
    const programData = env.ProgramData || env.PROGRAMDATA || 'C:\\ProgramData'
    const root = win32.join(programData, 'docker')
    return {
      configFile: win32.join(root, 'config', 'daemon.json'),
      dataRoot: root,
      execRoot: win32.join(root, 'exec-root'),
      host: 'npipe:////./pipe/docker_engine',
      pidfile: win32.join(root, 'docker.pid'),
      socket: '//./pipe/docker_engine',
    }
  }

  if (rootless) {
    const run = runtimeDir(env, exists, ctx.uid)
    const dataHome = env.XDG_DATA_HOME || join(home(env), '.local', 'share')
    const configHome = env.XDG_CONFIG_HOME || join(home(env), '.config')
    return {
      configFile: join(configHome, 'docker', 'daemon.json'),
      dataRoot: join(dataHome, 'docker'),
      execRoot: join(run, 'docker'),
      host: `unix://${join(run, 'docker.sock')}`,
      pidfile: join(run, 'docker.pid'),
      socket: join(run, 'docker.sock'),
    }
  }

  return {
    configFile: '/etc/docker/daemon.json',
    dataRoot: '/var/lib/docker',
    execRoot: '/var/run/docker',
    host: 'unix:///var/run/docker.sock',
    pidfile: '/var/run/docker.pid',
    socket: '/var/run/docker.sock',
  }
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
  return {env, platform, rootless: platform !== 'win32' && isRootless(env)}
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
