// Connections accepted before the API server attaches to a listener: held, then handed over.
import type {Server as NetServer, Socket} from 'node:net'
import type {Server as TLSServer} from 'node:tls'

/**
 * A listener accepts from the moment it is bound, but the API server attaches only once the
 * daemon has started (serve()): a net.Server with no listener for its connections would leave
 * them open and unanswered for good. They wait here instead, as they wait in the kernel's
 * backlog for Go's accept loop, and go to the first listener that attaches. Returns the waiting
 * sockets (a failed start destroys them).
 */
export function holdEarlyConnections(server: NetServer): Socket[] {
  // tls.Server: only handshaken sockets ('secureConnection') speak HTTP, as in api/server.ts serve().
  // (Told by its method rather than instanceof: node:tls loads only when a listener uses TLS.)
  const event = typeof (server as TLSServer).addContext === 'function' ? 'secureConnection' : 'connection'
  const early: Socket[] = []
  const hold = (socket: Socket): void => {
    early.push(socket)
  }

  const handOver = (name: string | symbol, listener: unknown): void => {
    if (name !== event || listener === hold) return
    server.off('newListener', handOver)
    server.off(event, hold)
    // 'newListener' fires before the listener is added.
    queueMicrotask(() => {
      for (const socket of early.splice(0)) if (!socket.destroyed) server.emit(event, socket)
    })
  }

  server.on(event, hold)
  server.on('newListener', handOver)
  return early
}
