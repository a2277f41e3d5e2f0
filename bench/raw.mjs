// /proc readings and a raw keep-alive HTTP client shared by the request benchmarks (daemon.mjs,
// relay.mjs): cheap enough that the server, not the client, is what a load measures.
import {readdirSync, readFileSync} from 'node:fs'
import {connect} from 'node:net'

export const PING_REQUEST = Buffer.from('GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n')

/**
 * A keep-alive HTTP/1.1 connection on a unix socket that sends `request` and resolves each
 * response's status once its Content-Length body is in. Enough HTTP for /_ping and /events heads.
 */
export function rawConnection(sock, request = PING_REQUEST) {
  return new Promise((resolve, reject) => {
    const s = connect(sock)
    let buf = Buffer.alloc(0)
    let waiting
    s.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d])
      if (!waiting) return
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = buf.subarray(0, end).toString('latin1')
      const status = Number(head.slice(9, 12))
      const m = /\r\ncontent-length: *(\d+)/i.exec(head)
      if (waiting.headOnly) {
        buf = Buffer.alloc(0)
      } else {
        const total = end + 4 + Number(m?.[1] ?? 0)
        if (buf.length < total) return
        buf = buf.subarray(total)
      }

      const w = waiting
      waiting = undefined
      w.resolve(status)
    })
    s.on('error', (error) => (waiting ? waiting.resolve(0) : reject(error)))
    s.on('close', () => waiting?.resolve(0))
    s.once('connect', () =>
      resolve({
        close: () => s.destroy(),
        /** Sends one request; resolves its status (0: connection failed). */
        send: (bytes = request, headOnly = false) =>
          new Promise((res) => {
            waiting = {headOnly, resolve: res}
            s.write(bytes)
          }),
      }),
    )
  })
}

/** CPU time of every thread of pid, in ns. */
export function cpuNs(pid) {
  let ns = 0
  let tids = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {} // gone
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {} // a thread that ended meanwhile
  }

  return ns
}

export function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** pid and all its descendants. */
export function tree(pid) {
  const children = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8')
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)])
    } catch {}
  }

  const walk = (p) => [p, ...(children.get(p) ?? []).flatMap(walk)]
  return walk(pid)
}

