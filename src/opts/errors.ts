/** A value rejected by one of the `src/opts` parsers; the message is moby's (or Go's) exact text. */
export class OptsError extends Error {
  override name = 'OptsError'
}

/** The message of what `fn` throws, or '' when it does not (validators that throw, used where a text is wanted). */
export function tryMessage(fn: () => unknown): string {
  try {
    fn()
    return ''
  } catch (error) {
    return (error as Error).message
  }
}
