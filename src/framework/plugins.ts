// `dockerd-ts/plugins`: the plugin contract and the helpers the daemon lends every plugin.
export {pluginHelpers, type PluginHelpers} from '../plugins/helpers.js'
export type {DockerdPlugin, PluginContext, PluginFactory, ReloadContext} from '../plugins/types.js'
