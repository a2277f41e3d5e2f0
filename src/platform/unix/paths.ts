import {join} from 'node:path'

import type {DefaultsContext} from '../../options/types.js'
import {home} from '../home.js'
import type {DefaultPaths} from '../types.js'

// Per-user defaults follow rootless dockerd, so a non-root user can start the daemon as is.
function runtimeDir(env: NodeJS.ProcessEnv, exists: (p: string) => boolean, uid = typeof process.getuid === 'function' ? process.getuid() : 0): string {
  if (env.XDG_RUNTIME_DIR) return env.XDG_RUNTIME_DIR
  const run = join('/run/user', String(uid))
  return exists(run) ? run : join(home(env), '.docker', 'run')
}

/** dockerd's Unix defaults: /etc/docker, /var/lib/docker, /var/run; XDG directories when rootless. */
export function unixDefaultPaths(ctx: DefaultsContext, exists: (p: string) => boolean): DefaultPaths {
  const {env, rootless} = ctx
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
