// Go's %q formatting, needed because moby error texts embed quoted user input (src/go/strconv).
import {goQuoteRune} from '../go/strconv.js'

export {goQuote} from '../go/strconv.js'

/** `%q` of a byte (Go formats integers as single-quoted character literals). */
export const goQuoteByte = (byte: number): string => goQuoteRune(byte)
