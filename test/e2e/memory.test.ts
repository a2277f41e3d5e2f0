// The memory policy in the running daemon (src/daemon/memory.ts): 300 `/events` subscribers limit
// the young generation; once they left, one collection runs (traced with DEBUG=dockerd:memory) and
// the daemon goes on answering. How much memory that gives back is measured in bench/events-rss.mjs.
import assert from 'node:assert/strict'
import {connect, type Socket} from 'node:net'
import {after, before, describe, it} from 'node:test'

import {api, NOT_BUILT, type Temp, baseArgs, daemonBuilt, shortTemp, startDaemon} from '../helpers/daemon.js'

/** A `GET /events` stream on `sock`, resolved once its response head arrived. */
function subscribe(sock: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(sock)
    let head = ''
    s.on('error', reject)
    s.on('data', (d) => {
      head += d.toString('latin1')
      if (head.includes('\r\n\r\n')) resolve(s)
    })
    s.write('GET /events HTTP/1.1\r\nHost: docker\r\n\r\n')
  })
}

describe('memory after a burst of connections', {skip: daemonBuilt ? false : NOT_BUILT, timeout: 60_000}, () => {
  let t: Temp
  before(() => {
    t = shortTemp()
  })
  after(() => t.done())

  it('300 subscribers: young generation limited; after they left, one collection, and the daemon still answers', async () => {
    const d = await startDaemon(baseArgs(t), {env: {DEBUG: 'dockerd:memory'}, home: t.dir})
    const sock = t.p('docker.sock')
    try {
      const subs: Socket[] = []
      for (let i = 0; i < 300; i += 50) subs.push(...(await Promise.all(Array.from({length: 50}, () => subscribe(sock)))))
      await d.waitFor(/connections open: young generation limited/, 10_000)
      const mark = d.mark()
      for (const s of subs) s.destroy()
      await d.waitFor(/collected in [\d.]+ ms: heap [\d.]+ -> [\d.]+ MiB/, 20_000, mark)
      assert.equal((await api(sock, '/_ping')).status, 200)
    } finally {
      assert.equal(await d.stop('SIGTERM'), 0, d.stderr())
    }
  })
})
