import {command} from '../../reexec/command.js'

/** Registered in src/reexec/builtin.ts; implemented by src/plugins/untar.ts (untarMain). */
export const UNTAR_ENTRYPOINT = 'dockerd-untar'

const STDERR_CAP = 64 * 1024

/**
 * Unpacks `archive` into `dest` in a re-exec'd child (`dockerd-untar`), so a hostile or huge
 * archive is parsed outside this process and killed after `timeoutMs`. Rejects with the child's
 * own message (which names the refused entry).
 */
export function runUntar(archive: string, dest: string, timeoutMs = 300_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = command(UNTAR_ENTRYPOINT, [archive, dest], {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < STDERR_CAP) stderr += d
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) return resolve()
      if (timedOut) return reject(new Error(`unpacking took longer than ${Math.round(timeoutMs / 1000)}s`))
      const message = stderr.trim()
      reject(new Error(message || `${UNTAR_ENTRYPOINT} exited with ${code ?? signal}`))
    })
  })
}
