import {GoObject, type GoJson} from '../go/json.js'

/** Where something is in the file, 1-based, for messages a user can jump to. */
export interface Position {
  column: number
  line: number
}

/** A syntax error in encoding/json's words, with the place it was found. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly position: Position,
  ) {
    super(message)
  }
}

export interface ParsedJson {
  /** Position of every object key, by path (`debug`, `log-opts/max-size`); the last duplicate wins. */
  keys: Map<string, Position>
  /** The literal text of every number that is an object member's value, by the same path (`1e2`, `1.0`). */
  numbers: Map<string, string>
  value: unknown
}

/**
 * Nesting past this is refused with encoding/json's words (`exceeded max depth`). Go's own limit
 * is 10,000, but JavaScript recursion (this parser, JSON.stringify, structuredClone) runs out of
 * stack first; no daemon.json nests more than a few levels, so the limit is 1,000.
 */
export const MAX_NESTING_DEPTH = 1000

/**
 * A small JSON parser that, unlike JSON.parse, reports key positions and Go's error wording
 * (daemon.json errors name the line and column). Duplicate keys: the last wins, as in Go.
 */
export function parseJson(text: string, opts: {ordered?: boolean} = {}): ParsedJson {
  const keys = new Map<string, Position>()
  const numbers = new Map<string, string>()
  // Ordered: objects keep every key in order, duplicates too (Go's field decoding needs them), and
  // no positions are recorded (a request body is not read by people).
  const ordered = opts.ordered === true
  let i = 0
  let depth = 0
  let numberText = ''

  const position = (offset: number): Position => {
    let line = 1
    let last = -1
    for (let j = 0; j < offset && j < text.length; j++) {
      if (text[j] === '\n') {
        line++
        last = j
      }
    }

    return {column: offset - last, line}
  }

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at, position(at))
  }

  const quoteChar = (c: string) => (c === "'" ? `'\\''` : `'${c}'`)
  const unexpected = (context: string): never =>
    i >= text.length ? fail('unexpected end of JSON input') : fail(`invalid character ${quoteChar(text[i])} ${context}`)

  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++
  }

  const literal = (word: string, value: unknown) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= text.length) fail('unexpected end of JSON input')
      if (text[i] !== word[k]) fail(`invalid character ${quoteChar(text[i])} in literal ${word} (expecting '${word[k]}')`)
    }

    return value
  }

  const string = (): string => {
    i++ // opening quote
    let out = ''
    while (true) {
      if (i >= text.length) fail('unexpected end of JSON input')
      const c = text[i]
      if (c === '"') {
        i++
        return out
      }

      if (c === '\\') {
        const e = text[i + 1]
        if (e === undefined) fail('unexpected end of JSON input', i + 1)
        const simple: Record<string, string> = {'"': '"', '/': '/', '\\': '\\', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'}
        if (e in simple) {
          out += simple[e]
          i += 2
          continue
        }

        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`invalid character in \\u hexadecimal character escape`, i + 2)
          out += String.fromCharCode(Number.parseInt(hex, 16))
          i += 6
          continue
        }

        i++
        fail(`invalid character ${quoteChar(e)} in string escape code`)
      }

      if (c < ' ') fail(`invalid character ${JSON.stringify(c).replaceAll('"', "'")} in string literal`)
      out += c
      i++
    }
  }

  const number = (): number => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))
    if (!m) {
      i++
      return unexpected('in numeric literal')
    }

    i += m[0].length
    numberText = m[0]
    return Number(m[0])
  }

  // Go's scanner counts depth before recursing; past its limit: its error, not a JS stack overflow.
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_NESTING_DEPTH) fail('exceeded max depth')
    try {
      return parse()
    } finally {
      depth--
    }
  }

  const value = (path: string): unknown => {
    ws()
    if (i >= text.length) fail('unexpected end of JSON input')
    const c = text[i]
    if (c === '{') return nested(() => object(path))
    if (c === '[') return nested(() => array(path))
    if (c === '"') return string()
    if (c === 't') return literal('true', true)
    if (c === 'f') return literal('false', false)
    if (c === 'n') return literal('null', null)
    if (c === '-' || (c >= '0' && c <= '9')) return number()
    return unexpected('looking for beginning of value')
  }

  const object = (path: string): Record<string, unknown> | GoObject => {
    i++
    const out: Record<string, unknown> = {}
    const entries: Array<[string, GoJson]> = []
    const offsets: number[] = []
    const done = () => (ordered ? new GoObject(entries, offsets) : out)
    ws()
    if (text[i] === '}') {
      i++
      return done()
    }

    while (true) {
      ws()
      if (text[i] !== '"') unexpected('looking for beginning of object key string')
      const at = ordered ? undefined : position(i)
      if (ordered) offsets.push(i)
      const key = string()
      ws()
      if (text[i] !== ':') unexpected('after object key')
      i++
      if (ordered) {
        entries.push([key, value('') as GoJson])
      } else {
        const child = path ? `${path}/${key}` : key
        keys.set(child, at!)
        const v = value(child)
        out[key] = v
        if (typeof v === 'number') numbers.set(child, numberText)
        else numbers.delete(child)
      }

      ws()
      if (text[i] === ',') {
        i++
        continue
      }

      if (text[i] === '}') {
        i++
        return done()
      }

      unexpected('after object key:value pair')
    }
  }

  const array = (path: string): unknown[] => {
    i++
    const out: unknown[] = []
    ws()
    if (text[i] === ']') {
      i++
      return out
    }

    while (true) {
      out.push(value(path))
      ws()
      if (text[i] === ',') {
        i++
        continue
      }

      if (text[i] === ']') {
        i++
        return out
      }

      unexpected('after array element')
    }
  }

  const result = value('')
  ws()
  if (i < text.length) unexpected('after top-level value')
  return {keys, numbers, value: result}
}
