import {win32} from 'node:path'

import type {DefaultsContext} from '../../options/types.js'
import type {DefaultPaths} from '../types.js'

/** dockerd's Windows defaults, under %ProgramData%\docker; the named pipe. */
export function windowsDefaultPaths(ctx: DefaultsContext): DefaultPaths {
  const programData = ctx.env.ProgramData || ctx.env.PROGRAMDATA || 'C:\\ProgramData'
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
