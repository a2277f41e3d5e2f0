// `npm test`'s reporter: node's spec reporter (one line per test, failures repeated in full at the
// end) followed by the summary lines of the TAP reporter (`# tests N`, `# pass N`, `# fail N`, …),
// which CI reads from the end of the output. Node 20 cannot send two reporters to one stream in
// order, hence this wrapper.
import {once} from 'node:events'
import {spec as Spec} from 'node:test/reporters'

const SUMMARY = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) [\d.]+$/

export default async function* specWithSummary(source) {
  const spec = new Spec()
  const out = []
  spec.on('data', (chunk) => out.push(chunk))
  const ended = once(spec, 'end')
  const summary = []
  for await (const event of source) {
    if (event.type === 'test:diagnostic' && event.data.nesting === 0 && SUMMARY.test(event.data.message)) summary.push(event.data.message)
    spec.write(event)
    while (out.length > 0) yield out.shift()
  }

  spec.end()
  await ended
  while (out.length > 0) yield out.shift()
  for (const line of summary) yield `# ${line}\n`
}
