import type * as Untar from '../plugins/untar.js'
import {register} from './registry.js'
import {importLib} from './self.js'

// This project's own re-exec entry points. Imported on EVERY start before oclif, so each
// entry is a name and a dynamic import, nothing more.

register('dockerd-selftest', async () => (await import('./selftest.js')).selftest)
// By path, not a literal import: bundled copies of this module must not pull the untar code (and
// zlib) into every start.
register('dockerd-untar', async () => (await importLib<typeof Untar>('plugins/untar.js')).untarMain)
