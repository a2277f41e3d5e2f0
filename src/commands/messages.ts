/** cobra's NoArgs error, plus the arguments it refused (dockerd does not name them). */
export function positionalError(args: readonly string[]): string {
  return (
    `"dockerd" accepts no argument(s).\nunexpected argument(s): ${args.map((a) => JSON.stringify(a)).join(' ')}\n` +
    `See 'dockerd --help'.\n\nUsage:  dockerd [OPTIONS]\n\nA self-sufficient runtime for containers.\n`
  )
}
