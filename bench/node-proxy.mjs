// The Node floor for forwarding HTTP: the smallest node:http reverse proxy (keep-alive agent,
// bodies piped both ways, no hijack, no hop-by-hop handling). bench/engine.mjs runs it beside the
// daemon so the daemon's own cost is told apart from node:http's.
// Usage: node bench/node-proxy.mjs LISTEN_SOCK UPSTREAM_SOCK
import http from 'node:http'

const [, , listen, upstream] = process.argv
const agent = new http.Agent({keepAlive: true})
http
  .createServer((req, res) => {
    const up = http.request({agent, headers: req.headers, method: req.method, path: req.url, socketPath: upstream}, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  .listen(listen)
