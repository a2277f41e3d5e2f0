// Generates docs/portfwd.md from portfwd's option table (a test holds it current).
import {writeFileSync} from 'node:fs'

import {optionsMarkdown} from 'dockerd-ts/framework'

import {portfwd} from '../daemon.js'

writeFileSync(new URL('../docs/portfwd.md', import.meta.url), optionsMarkdown(portfwd))
