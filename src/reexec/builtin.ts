import {register} from './registry.js'

// This project's own re-exec entry points. Imported on EVERY start before oclif, so each
// entry is a name and a dynamic import, nothing more.

register('dockerd-selftest', async () => (await import('./selftest.js')).selftest)
register('dockerd-untar', () => import('../plugins/untar.js').then((m) => m.untarMain))
