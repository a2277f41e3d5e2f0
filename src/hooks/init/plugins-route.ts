import type {Hook} from '@oclif/core/hooks'

/**
 * `dockerd plugins …` (install, link, uninstall, ls, …): a single-command CLI cannot reach
 * @oclif/plugin-plugins' commands, so they are routed here, before command resolution, and the
 * plugin is loaded only when the word `plugins` comes first. Any other argv, and `oclif readme`
 * (id 'readme'), pass through untouched.
 */
const hook: Hook.Init = async function ({argv, config, id}) {
  if (id === 'readme' || !Array.isArray(argv) || argv[0] !== 'plugins') return
  const {runPlugins} = await import('../../plugins/install/route.js')
  const code = await runPlugins(config, argv.slice(1))
  const {flush} = await import('@oclif/core/flush')
  await flush()
  // oclif swallows this.exit(0) from init hooks (oclif/core#515), so exit directly.
  process.exit(code)
}

export default hook
