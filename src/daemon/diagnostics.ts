import {closeSync, openSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'

import {goPathError} from './dirs.js'
import type {LogSink} from '../log/types.js'

/** The file operations used, replaceable in tests (a full disk cannot be made on demand). */
export interface ReportFs {
  closeSync(fd: number): void
  openSync(path: string, flags: string, mode: number): number
  unlinkSync(path: string): void
  writeSync(fd: number, buf: Buffer, offset: number): number
}

const realFs: ReportFs = {closeSync, openSync, unlinkSync, writeSync}

/**
 * SIGUSR1: a Node diagnostic report (without environment variables) in `dir`; never the
 * inspector. Each report gets its own file (a second one in the same second is `…Z-1.json`,
 * created exclusively, never overwriting), and a report that cannot be written whole (a full
 * disk) is removed rather than left empty or cut short. Returns the path written, if any.
 */
export function dumpDiagnostics(dir: string, log: Pick<LogSink, 'error' | 'info'>, now = new Date(), fs: ReportFs = realFs): string | undefined {
  const stamp = now.toISOString().replaceAll(':', '').replace(/\.\d+Z$/, 'Z')
  let text: string
  try {
    const report = process.report.getReport() as unknown as Record<string, unknown>
    delete report.environmentVariables
    text = JSON.stringify(report, null, 2)
  } catch (error) {
    log.error('failed to write diagnostics report', {error: `could not build the report: ${(error as Error).message}`})
    return undefined
  }

  let path = ''
  let fd: number | undefined
  try {
    for (let n = 0; fd === undefined; n++) {
      path = join(dir, `dockerd-report-${stamp}${n === 0 ? '' : `-${n}`}.json`)
      try {
        fd = fs.openSync(path, 'wx', 0o644)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw Object.assign(error as Error, {op: 'open'})
      }
    }

    const buf = Buffer.from(text)
    for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off)
    fs.closeSync(fd)
    fd = undefined
    log.info(`diagnostics report written to ${path}`)
    return path
  } catch (error) {
    const op = (error as {op?: string}).op ?? 'write'
    if (fd !== undefined) {
      try {
        fs.closeSync(fd)
      } catch {}

      try {
        fs.unlinkSync(path)
      } catch {}
    }

    log.error('failed to write diagnostics report', {error: goPathError(op, path, error)})
    return undefined
  }
}
