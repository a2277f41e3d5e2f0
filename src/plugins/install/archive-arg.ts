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

// `.`, `..`, `./x`, `../x`, `/x`, `~/x`: a path however it is spelled, never an npm name or a GitHub slug.
const PATH_SYNTAX = /^(?:\.{1,2}(?:[/\\]|$)|[/\\]|~[/\\])/

/**
 * The local directory an `install` argument names, as an absolute path, or undefined. A path
 * spelled as one (`./dir`, `/abs`, `..`) is a directory even when missing (the installer reports
 * it), as is an existing directory named with a slash (`plugins/x`), which plugin-plugins would
 * otherwise take for the GitHub repository `https://github.com/plugins/x`.
 */
export function localDirectory(arg: string, cwd: string = process.cwd()): string | undefined {
  if (arg.startsWith('file:') || URL_SCHEME.test(arg) || localArchive(arg, cwd) !== undefined) return undefined
  const home = process.env.HOME ?? ''
  const path = arg.startsWith('~/') && home ? resolve(home, arg.slice(2)) : resolve(cwd, arg)
  if (PATH_SYNTAX.test(arg)) return path
  return arg.includes('/') && isDirectory(path) ? path : undefined
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
