/** Where progress goes: a stream, a TTY or not (process.stderr by default). */
export interface ProgressOutput {
  columns?: number
  isTTY?: boolean
  write(text: string): unknown
}

/** One long task's progress: each step as it starts, then how it ended. */
export interface Progress {
  step(text: string): void
  done(text: string): void
  fail(text: string): void
}

const FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'

/**
 * On a TTY one line rewritten in place (a spinner, the current step, the seconds so far), so a
 * silent 20 s looks alive; otherwise (logs, CI, pipes) one plain line per step and one at the end,
 * never a control character. The timer is unref'd: progress never keeps a process alive.
 */
export function progress(title: string, out: ProgressOutput = process.stderr, intervalMs = 100): Progress {
  const started = Date.now()
  let current = ''
  let ended = false
  let timer: NodeJS.Timeout | undefined
  let frame = 0
  const draw = (): void => {
    const secs = Math.floor((Date.now() - started) / 1000)
    const line = `${FRAMES[frame++ % FRAMES.length]} ${title}${current ? `: ${current}` : ''} (${secs} s)`
    // Wider than the terminal would wrap, and \r would then redraw only the last row (0: a pty
    // with no size set).
    out.write(`\r\u001B[2K${line.slice(0, Math.max(10, (out.columns || 80) - 1))}`)
  }

  const end = (text: string): void => {
    if (ended) return
    ended = true
    if (timer) clearInterval(timer)
    out.write(`${out.isTTY ? '\r\u001B[2K' : ''}${title}: ${text}\n`)
  }

  if (out.isTTY) {
    timer = setInterval(draw, intervalMs)
    timer.unref()
    draw()
  }

  return {
    done: end,
    fail: end,
    step(text: string) {
      if (ended || text === current) return
      current = text
      if (out.isTTY) draw()
      else out.write(`${title}: ${text}\n`)
    },
  }
}
