import type {Hook} from '@oclif/core/hooks'

import '../../reexec/builtin.js'
import {dispatchReexec} from '../../reexec/dispatch.js'

/** In an oclif hook: run the entry point this process was started as, if any, and exit with its code. */
export async function exitIfReexec(): Promise<void> {
  const code = await dispatchReexec(process.argv.slice(2))
  if (code === undefined) return
  const {flush} = await import('@oclif/core/flush')
  await flush()
  // oclif swallows this.exit(0) from init hooks (oclif/core#515), so exit directly.
  process.exit(code)
}

/**
 * Busybox-style dispatch before command resolution, for the in-process path (oclif tooling,
 * programmatic runs): bin/run.js dispatches before oclif loads, and the plugins hook again once
 * installed plugins registered theirs.
 */
const hook: Hook.Init = async function () {
  await exitIfReexec()
}

export default hook
