// npipe:// listeners (Windows named pipes).
import {errnoText} from '../dirs.js'
import type {Opened} from './opened.js'
import {listen, newServer} from './server.js'
import type {Listener, ListenerOptions} from './types.js'

export async function openPipe(host: string, addr: string, opts: ListenerOptions, opened: Opened): Promise<Listener> {
  // Node cannot set a pipe's security descriptor, so --group cannot grant access as dockerd's
  // `(A;;GRGW;;;<SID>)` entry does; say so rather than pretend.
  if (opts.socketGroup !== '') {
    opts.log.warn(`--group ${opts.socketGroup} is not applied to named pipe ${addr}: not supported by this daemon`)
  }

  const server = newServer(undefined, opts)
  opened.addServer(server)
  await listen(server, addr.replaceAll('/', '\\')).catch((error: unknown) => {
    throw new Error(`listen npipe ${addr}: ${errnoText(error)}`)
  })
  return {host, addr, server}
}

