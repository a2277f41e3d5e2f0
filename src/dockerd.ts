import {defineDaemon} from './framework/define.js'
import {DOCKERD_LAUNCH} from './launch.js'
import {optionTable} from './options/index.js'
import {versionLine} from './version.js'

/**
 * dockerd, assembled through the same API as any other daemon (docs/build-your-own-daemon.md):
 * its table (src/options, src/platform, built-in plugins), its version line and its start(),
 * whose daemon code loads only when a start gets that far.
 */
export const dockerd = defineDaemon({
  // Lines of at most 72 columns: the fast --help (rendered by oclif at build time) re-wraps only
  // flag rows, and is used on terminals at least as wide as its widest other line.
  description: [
    'A self-sufficient runtime for containers.',
    '',
    'Serves the Engine API on its listeners: /_ping, /version, /info,',
    '/events and plugin routes itself; with --engine-host every other',
    'route (containers, images, networks, volumes, exec, build) is',
    'forwarded to that upstream engine, and without one those routes',
    'answer 501 saying how to configure it.',
  ].join('\n'),
  name: DOCKERD_LAUNCH.bin,
  async start(flags, {platform, table}) {
    const {start} = await import('./daemon/start.js')
    return start(flags, platform, table)
  },
  subcommands: DOCKERD_LAUNCH.subcommands,
  summary: 'A self-sufficient runtime for containers.',
  table: optionTable,
  versionLine: () => versionLine(),
})
