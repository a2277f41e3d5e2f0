import type {Hook} from '@oclif/core/hooks'

import type * as Route from '../../plugins/install/route.js'
import {importLib} from '../../reexec/self.js'

/**
 * `dockerd plugins …` (install, link, uninstall, ls, …): a single-command CLI cannot reach
 * @oclif/plugin-plugins' commands, so they are routed here, before command resolution, and the
 * plugin is loaded only when the word `plugins` comes first. Any other argv, and `oclif readme`
 * (id 'readme'), pass through untouched.
 */
const hook: Hook.Init = async function ({argv, config, id}) {
  if (id === 'readme' || !Array.isArray(argv) || argv[0] !== 'plugins') return
  // Loaded by path from lib/, not bundled: the installer's imports (child_process, zlib, crypto)
  // would otherwise load with every --help from lib/oclif.bundle.js.
  const {runPlugins} = await importLib<typeof Route>('plugins/install/route.js')
  const code = await runPlugins(config, argv.slice(1))
  const {flush} = await import('@oclif/core/flush')
  await flush()
  // oclif swallows this.exit(0) from init hooks (oclif/core#515), so exit directly.
  process.exit(code)
}

export default hook
