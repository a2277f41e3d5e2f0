#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (development only): `bin/dev.js --validate`.
import {execute} from '@oclif/core/execute'

await execute({development: true, dir: import.meta.url})
