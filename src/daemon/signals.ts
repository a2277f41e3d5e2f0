// The daemon's signals (§6.11): HUP reloads, INT/TERM stop (the 4th forces exit without cleanup,
// as dockerd does), USR1 writes a diagnostics report.
import type {LogSink} from '../log/types.js'
import {dumpDiagnostics} from './diagnostics.js'

/** What the signals act on: a started daemon. */
export interface SignalTarget {
  reload(): Promise<unknown>
  stop(): Promise<unknown>
  /** Where SIGUSR1 writes its report (exec-root, else data-root). */
  readonly diagnosticsDir: string
}

/**
 * Installs the handlers for `daemon`; returns their removal. The stop handlers stay until exit in
 * a running daemon, so a late signal is counted rather than killing the process.
 */
export function bindSignals(daemon: SignalTarget, log: LogSink, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let interrupts = 0
  const onStop = (signal: NodeJS.Signals, number: number) => {
    log.info(`Processing signal '${signal === 'SIGINT' ? 'interrupt' : 'terminated'}'`)
    interrupts++
    if (interrupts === 1) {
      void daemon.stop()
      return
    }

    // dockerd counts the 2nd and 3rd and forces exit on the 4th (§6.11).
    if (interrupts >= 4) {
      log.info('Forcing docker daemon shutdown without cleanup; 3 interrupts received')
      exit(128 + number)
    }
  }

  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGINT', () => onStop('SIGINT', 2)],
    ['SIGTERM', () => onStop('SIGTERM', 15)],
    ['SIGUSR1', () => dumpDiagnostics(daemon.diagnosticsDir, log)],
    ['SIGHUP', () => void daemon.reload()],
  ]
  // bin/run.js holds SIGUSR1 (so it never starts Node's inspector) until now; the report replaces that.
  process.removeAllListeners('SIGUSR1')
  for (const [signal, handler] of handlers) process.on(signal, handler)
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}
