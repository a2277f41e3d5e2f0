// GET /info: the daemon's full body at the current API version (./build.ts); the API layer shapes
// it per request for older versions (src/api/info-shape.ts).
import {buildUnshapedInfo, type InfoInputs} from './build.js'

export {buildUnshapedInfo, INDEX_SERVER, NO_STORAGE_DRIVER, type HostFacts, type InfoInputs} from './build.js'
export {apiWarnings, cdiSpecDirs, cgroupDriver, goKeyOrder, registryConfig, seccompProfile} from './config.js'
export {activeTaskCount, openFdCount} from './live.js'
export {formatRFC3339Nano} from '../../go/time.js'
export {isContainerized, osReleaseValue} from '../../platform/linux/host-facts.js'

/** The `/info` body, field for field in system.Info order, before any per-version shaping. */
export function buildInfo(inputs: InfoInputs): Record<string, unknown> {
  return buildUnshapedInfo(inputs)
}
