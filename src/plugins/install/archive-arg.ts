import {statSync} from 'node:fs'
import {isAbsolute, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const ARCHIVE = /\.(?:tgz|tar\.gz|tar)$/i
const URL_SCHEME = /^[a-z][a-z\d+.-]*:\/\//i

/**
 * The local archive an `install` argument names, as an absolute path, or undefined when the
 * argument is something else (an npm name, a git or https URL, a `file:` directory), which
 * plugin-plugins' npm path handles.
 *
 * Local: `file:<path>` (also `file:///abs`), or a path ending in `.tgz`, `.tar.gz` or `.tar`
 * that is not a URL. The file need not exist: a missing one is reported by the installer.
 */
export function localArchive(arg: string, cwd: string = process.cwd()): string | undefined {
  if (arg.startsWith('file:')) {
    const path = arg.startsWith('file://') ? fileURLToPath(arg) : arg.slice('file:'.length)
    const abs = isAbsolute(path) ? path : resolve(cwd, path)
    // npm installs a `file:` directory as a link; that stays plugin-plugins' job.
    return isDirectory(abs) ? undefined : abs
  }

  if (ARCHIVE.test(arg) && !URL_SCHEME.test(arg)) return resolve(cwd, arg)
  return undefined
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
