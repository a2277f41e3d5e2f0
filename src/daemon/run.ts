// The command's entry into the daemon: start a Daemon with the process's signals and wait for its
// stop. The daemon itself is ./daemon.ts.
import {Daemon, type RunInput} from './daemon.js'

export {advertisedApiVersion} from './api-wiring.js'
export {Daemon, type DaemonOptions, type RunInput, StartError} from './daemon.js'
export {configureLogging} from './logging.js'

/**
 * The daemon's life (§6.1, §6.12): start, then signals until shutdown. A start that fails has
 * undone what it created, printed dockerd's message on stderr and returns 1; a clean stop 0.
 */
export async function runDaemon(input: RunInput): Promise<number> {
  const daemon = new Daemon(input, {signals: true})
  try {
    await daemon.start()
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    return 1
  }

  await daemon.wait()
  return 0
}
