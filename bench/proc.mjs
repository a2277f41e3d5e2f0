// What the benchmarks read about a process from /proc, and their one statistic.
import {readdirSync, readFileSync} from 'node:fs'

/** USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s. */
export const TICK = 100

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** The fields of /proc/PID/stat after the command name (index 0 is the state). */
const statFields = (pid) => {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return st.slice(st.lastIndexOf(')') + 2).split(' ')
}

/** pid -> its children's pids, for the whole system now. */
function childrenMap() {
  const children = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const ppid = Number(statFields(d)[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)])
    } catch {}
  }

  return children
}

/** pid and all its descendants. */
export function tree(pid) {
  const children = childrenMap()
  const out = []
  const walk = (p) => {
    out.push(p)
    for (const c of children.get(p) ?? []) walk(c)
  }

  walk(pid)
  return out
}

/**
 * CPU of the children of pid that already exited and were reaped (cutime + cstime), in ns: with the
 * live threads' schedstat (raw.mjs cpuNs), a forking server (socat ,fork) is counted whole.
 */
export function reapedNs(pid) {
  try {
    const f = statFields(pid)
    return ((Number(f[13]) + Number(f[14])) * 1e9) / TICK
  } catch {
    return 0 // gone
  }
}

/** VmRSS of a process tree, in KiB. */
export function treeRssKiB(pid) {
  let sum = 0
  for (const p of tree(pid)) {
    try {
      sum += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0)
    } catch {}
  }

  return sum
}
