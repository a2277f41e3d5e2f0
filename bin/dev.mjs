#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (development only): `bin/dev.mjs --validate`.
import {fileURLToPath} from 'node:url'

import {execute} from '@oclif/core/execute'

// The package directory, not this file: oclif would take bin/package.json for the root.
await execute({development: true, dir: fileURLToPath(new URL('..', import.meta.url))})
