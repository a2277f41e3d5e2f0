#!/usr/bin/env node
// portfwd's whole bin script: reexec children, the start pipeline without oclif, help through oclif.
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {runDaemonCli} from 'dockerd-ts/framework'

import {portfwd} from '../daemon.js'

await runDaemonCli(portfwd, {root: join(dirname(fileURLToPath(import.meta.url)), '..')})
