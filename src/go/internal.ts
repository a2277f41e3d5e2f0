// Helpers shared by the Go-compatibility modules; not part of their public surface.
const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', {fatal: false})

export const utf8 = (s: string): Uint8Array => utf8Encoder.encode(s)
export const fromUtf8 = (b: Uint8Array): string => utf8Decoder.decode(b)

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

export function lowerByte(c: string): number {
  return c.charCodeAt(0) | 0x20
}

/** The value of one hex digit, or -1. */
export function hexVal(c: string | undefined): number {
  if (c === undefined || c.length !== 1) return -1
  const code = c.charCodeAt(0)
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10
  return -1
}
