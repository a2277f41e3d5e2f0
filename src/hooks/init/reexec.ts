import type {Hook} from '@oclif/core/hooks'

import '../../reexec/builtin.js'
import {dispatch, reexecName} from '../../reexec/dispatch.js'

/**
 * Busybox-style dispatch before command resolution: a process started under a registered argv0
 * (or with DOCKERD_REEXEC) runs that initializer and exits with its code. bin/run.js does the same
 * before oclif loads; this is the in-process path (oclif tooling, programmatic runs).
 */
const hook: Hook.Init = async function () {
  const name = reexecName()
  if (!name) return
  const code = await dispatch(name, process.argv.slice(2))
  const {flush} = await import('@oclif/core/flush')
  await flush()
  // oclif swallows this.exit(0) from init hooks (oclif/core#515), so exit directly.
  process.exit(code)
}

export default hook
