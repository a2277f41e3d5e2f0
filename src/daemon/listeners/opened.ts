import {lstatSync, unlinkSync} from 'node:fs'
import type {Server as NetServer, Socket} from 'node:net'

import {rollbackDirs} from '../dirs.js'
import {holdEarlyConnections} from './early-accept.js'
import type {Listener} from './types.js'

/** What one openListeners() call has opened and created, undone together by cleanup(). */
export class Opened {
  readonly listeners: Listener[] = []
  private readonly servers: NetServer[] = []
  private readonly sockets: Array<{path: string; ino: number}> = []
  private readonly dirs: string[] = []
  private readonly early: Socket[][] = []
  private cleaned = false

  addServer(server: NetServer): void {
    this.servers.push(server)
    this.early.push(holdEarlyConnections(server))
  }

  addSocketFile(path: string): void {
    try {
      this.sockets.push({path, ino: lstatSync(path).ino})
    } catch {
      // Gone already.
    }
  }

  addDirs(dirs: string[]): void {
    this.dirs.push(...dirs)
  }

  async cleanup(): Promise<void> {
    if (this.cleaned) return
    this.cleaned = true
    // close() stops accepting at once (and libuv unlinks a bound unix socket); open connections
    // belong to the API layer's graceful shutdown, so we do not wait for them.
    for (const server of this.servers.reverse()) {
      try {
        server.close()
      } catch {
        // Not listening any more.
      }
    }

    // A failed start: nobody will answer the connections that waited for it.
    for (const early of this.early) for (const socket of early.splice(0)) socket.destroy()
    for (const {path, ino} of this.sockets) {
      try {
        // Only the very file we bound: a successor may already own the path.
        if (lstatSync(path).ino === ino) unlinkSync(path)
      } catch {
        // Already removed by close().
      }
    }

    rollbackDirs(this.dirs)
  }
}
