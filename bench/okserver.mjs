// Bare Node yardstick: node:http answering "OK" on the unix socket given as argv[2].
import {unlinkSync} from 'node:fs'
import http from 'node:http'

const sock = process.argv[2]
const server = http.createServer((_req, res) => res.end('OK'))
server.listen(sock)
const stop = () =>
  server.close(() => {
    try {
      unlinkSync(sock)
    } catch {}

    process.exit(0)
  })
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
