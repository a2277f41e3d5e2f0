import {realpathSync, statSync, type Stats} from 'node:fs'
import {dirname} from 'node:path'

type StatFn = (path: string) => Pick<Stats, 'mode' | 'uid'>

/**
 * Why a daemon running as root must not load code from `root`, or undefined when it may: the
 * directory and each of its parents must be owned by root and writable by nobody else (a parent
 * with the sticky bit, like /tmp, may be world-writable: others cannot rename what is in it).
 * Otherwise another user could change the code root runs (as sudo and sshd refuse such paths).
 */
export function untrustedReason(root: string, stat: StatFn = statSync, realpath: (p: string) => string = realpathSync): string | undefined {
  let dir: string
  try {
    dir = realpath(root)
  } catch {
    return `its directory ${root} cannot be resolved`
  }

  for (let first = true; ; first = false) {
    let st
    try {
      st = stat(dir)
    } catch {
      return `its directory ${dir} cannot be read`
    }

    if (st.uid !== 0) return `${dir} is owned by uid ${st.uid}, not root`
    const sticky = (st.mode & 0o1000) !== 0
    if ((st.mode & 0o022) !== 0 && (first || !sticky)) {
      return `${dir} is writable by ${(st.mode & 0o020) === 0 ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`
    }

    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
