/** A value rejected by one of the `src/opts` parsers; the message is moby's (or Go's) exact text. */
export class OptsError extends Error {
  override name = 'OptsError'
}
