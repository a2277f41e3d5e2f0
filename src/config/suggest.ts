/** Levenshtein distance, for "did you mean" on unknown daemon.json keys. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }

  return prev[b.length]
}

/**
 * The known key closest to `word`, if it is close enough to be a likely typo: within a third of the
 * word's length, or the same word with different case/separators (`Debug`, `log_level`, `tls-verify`).
 */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  const squash = (s: string) => s.toLowerCase().replaceAll(/[-_.]/g, '')
  let best: string | undefined
  let bestScore = Number.POSITIVE_INFINITY
  for (const candidate of [...known].sort()) {
    const score = squash(candidate) === squash(word) ? 0 : editDistance(word.toLowerCase(), candidate)
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }

  return best !== undefined && bestScore <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined
}
