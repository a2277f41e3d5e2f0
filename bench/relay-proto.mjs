// A prototype of a raw forwarding front (issue 12, row "forwarded request / byte pipe"), to weigh the
// design before building it into the daemon: each client connection gets its own upstream
// connection; a request head is parsed by node's own llhttp (as src/api/front.ts does), written up
// as the engine fast path writes it (requestHead), and the answer comes down behind a rebuilt head,
// framed by the fast path's ResponseReader. No routing, middleware or error answers: a lower bound
// for what a complete raw front could cost per request. Bodiless requests only (the benchmark's).
// Usage (through tsx, for the TypeScript modules): node --import tsx bench/relay-proto.mjs <listen.sock> <upstream.sock>
import {createRequire} from 'node:module'
import net from 'node:net'

import {requestHead, responseHead} from '../src/plugins/builtin/engine/fast.ts'
import {ResponseReader} from '../src/plugins/builtin/engine/framing.ts'

const {HTTPParser, methods} = createRequire(import.meta.url)('_http_common')
const [listen, upstream] = process.argv.slice(2)
const parser = new HTTPParser()
parser.initialize(HTTPParser.REQUEST, {}, 1 << 20, HTTPParser.kLenientNone)
let parsed = {}
parser[HTTPParser.kOnHeadersComplete] = (major, minor, headers, method, url) => {
  parsed = {headers, method: methods[method], url}
  return 0
}
parser[HTTPParser.kOnMessageComplete] = () => {
  parsed.complete = true
}

const CRLFCRLF = Buffer.from('\r\n\r\n')
net
  .createServer((client) => {
    const up = net.connect(upstream)
    let reader
    let headSent = false
    up.on('data', (chunk) => {
      const body = reader.feed(chunk)
      if (!reader.head) return
      if (!headSent) {
        headSent = true
        const head = Buffer.from(responseHead(reader.head, false), 'latin1')
        client.write(body.length > 0 ? Buffer.concat([head, body]) : head)
      } else if (body.length > 0) client.write(body)
    })
    client.on('data', (chunk) => {
      const end = chunk.indexOf(CRLFCRLF)
      parsed = {}
      if (end < 0 || parser.execute(chunk.subarray(0, end + 4)) !== end + 4 || !parsed.complete) {
        client.destroy()
        return
      }

      reader = new ResponseReader(parsed.method === 'HEAD')
      headSent = false
      up.write(requestHead(parsed.method, parsed.url, parsed.headers, false), 'latin1')
    })
    client.on('error', () => up.destroy())
    client.on('close', () => up.destroy())
    up.on('error', () => client.destroy())
  })
  .listen(listen)
