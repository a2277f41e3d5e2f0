// Go's encoding/csv: the first record of a Reader, with its parse errors.
import {OptsError} from '../opts/errors.js'

function csvLines(input: string): string[] {
  const lines: string[] = []
  let rest = input
  while (rest.length > 0) {
    const nl = rest.indexOf('\n')
    let line = nl < 0 ? rest : rest.slice(0, nl + 1)
    rest = nl < 0 ? '' : rest.slice(nl + 1)
    if (nl < 0 && line.endsWith('\r')) line = line.slice(0, -1)
    if (line.endsWith('\r\n')) line = line.slice(0, -2) + '\n'
    lines.push(line)
  }

  return lines
}

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8')

function csvError(startLine: number, line: number, column: number, err: string): OptsError {
  const where = startLine === line ? '' : `record on line ${startLine}; `
  return new OptsError(`${where}parse error on line ${line}, column ${column}: ${err}`)
}

const BARE_QUOTE = 'bare " in non-quoted-field'
const EXTRA_QUOTE = 'extraneous or missing " in quoted-field'

/** The first record of csv.NewReader(strings.NewReader(input)).Read(); `EOF` when there is none. */
export function readGoCSVRecord(input: string): string[] {
  const lines = csvLines(input)
  let next = 0
  let numLine = 0
  const readLine = (): string | undefined => {
    numLine++
    return next < lines.length ? lines[next++] : undefined
  }

  let line: string | undefined
  for (;;) {
    line = readLine()
    if (line === undefined) throw new OptsError('EOF')
    if (line !== '\n') break
  }

  const recLine = numLine
  const pos = {col: 1, line: numLine}
  const fields: string[] = []
  const lengthNL = (s: string) => (s.endsWith('\n') ? 1 : 0)
  for (;;) {
    if (line === '' || line[0] !== '"') {
      const i = line.indexOf(',')
      const field = i >= 0 ? line.slice(0, i) : line.slice(0, line.length - lengthNL(line))
      const j = field.indexOf('"')
      if (j >= 0) throw csvError(recLine, numLine, pos.col + byteLen(field.slice(0, j)), BARE_QUOTE)
      fields.push(field)
      if (i < 0) return fields
      pos.col += byteLen(line.slice(0, i)) + 1
      line = line.slice(i + 1)
      continue
    }

    line = line.slice(1)
    pos.col += 1
    let buf = ''
    for (;;) {
      const i = line.indexOf('"')
      if (i >= 0) {
        buf += line.slice(0, i)
        pos.col += byteLen(line.slice(0, i)) + 1
        line = line.slice(i + 1)
        if (line[0] === '"') {
          buf += '"'
          line = line.slice(1)
          pos.col += 1
        } else if (line[0] === ',') {
          line = line.slice(1)
          pos.col += 1
          fields.push(buf)
          break
        } else if (lengthNL(line) === line.length) {
          fields.push(buf)
          return fields
        } else {
          throw csvError(recLine, numLine, pos.col - 1, EXTRA_QUOTE)
        }
      } else if (line.length > 0) {
        buf += line
        pos.col += byteLen(line)
        line = readLine() ?? ''
        if (line.length > 0) {
          pos.line++
          pos.col = 1
        }
      } else {
        throw csvError(recLine, pos.line, pos.col, EXTRA_QUOTE)
      }
    }
  }
}
