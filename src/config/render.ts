import type {Problem} from './types.js'

/** How dockerd prints a configuration problem; hint lines (ours) follow, indented. */
export function renderProblem(p: Problem): string {
  let head: string
  switch (p.kind) {
    case 'flag': {
      head = `Status: ${p.message}\nSee 'dockerd --help'., Code: 125`
      break
    }

    case 'file': {
      head = `unable to configure the Docker daemon with file ${p.file}: ${p.message}`
      break
    }

    case 'merged': {
      head = `unable to configure the Docker daemon with file ${p.file}: merged configuration validation from file and command line flags failed: ${p.message}`
      break
    }

    default: {
      head = p.message
    }
  }

  return [head, ...p.hints.map((h) => `  ${h}`)].join('\n')
}

export function renderProblems(problems: readonly Problem[]): string {
  return problems.map((p) => renderProblem(p)).join('\n') + '\n'
}
