/**
 * `dockerd-selftest`: proves the re-exec path in tests and the start-up benchmark.
 * Prints what the child saw, exits with the status given as the first argument.
 */
export async function selftest(args: string[]): Promise<number> {
  const line = JSON.stringify({argv0: process.argv0, args, pid: process.pid}) + '\n'
  // Wait for the write: the caller exits the process right after.
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(line, error => (error ? reject(error) : resolve()))
  })
  const first = args[0]
  return first !== undefined && /^[+-]?\d+$/.test(first) ? Number(first) : 0
}
