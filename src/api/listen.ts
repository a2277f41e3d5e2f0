import type {EventEmitter} from 'node:events'

/**
 * Adds `handlers` (event name → listener) to `emitter` and returns the one function that removes
 * them all: for reads that wait on data, end and errors and must leave no listener behind once one
 * of them has decided.
 */
export function listen(emitter: EventEmitter, handlers: Readonly<Record<string, (...args: never[]) => void>>): () => void {
  const entries = Object.entries(handlers) as Array<[string, (...args: unknown[]) => void]>
  for (const [event, fn] of entries) emitter.on(event, fn)
  return () => {
    for (const [event, fn] of entries) emitter.off(event, fn)
  }
}
