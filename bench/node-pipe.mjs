// A plain byte pipe written in Node: each connection on <listen.sock> gets its own connection to
// <upstream.sock>, and bytes are copied both ways as they come, with nothing parsed. What Node itself
// costs to relay (bench/relay.mjs, bench/engine.mjs), beside socat's.
// Usage: node bench/node-pipe.mjs <listen.sock> <upstream.sock>
import net from 'node:net'

const [listen, upstream] = process.argv.slice(2)
net
  .createServer((c) => {
    const u = net.connect(upstream)
    c.on('data', (d) => u.write(d))
    u.on('data', (d) => c.write(d))
    c.on('end', () => u.end())
    u.on('end', () => c.end())
    c.on('close', () => u.destroy())
    u.on('close', () => c.destroy())
    c.on('error', () => {})
    u.on('error', () => {})
  })
  .listen(listen)
