// GET /info: the unshaped body (./build.ts, the seam the API layer builds on) and, until the API
// layer shapes it per request, buildInfo() = the body shaped for one API version.
import {buildUnshapedInfo, type InfoInputs} from './build.js'
import {shapeForVersion} from './shape.js'

export {buildUnshapedInfo, INDEX_SERVER, NO_STORAGE_DRIVER, type HostFacts, type InfoInputs} from './build.js'
export {apiWarnings, cdiSpecDirs, cgroupDriver, goKeyOrder, registryConfig, seccompProfile} from './config.js'
export {activeTaskCount, openFdCount} from './live.js'
export {shapeForVersion} from './shape.js'
export {formatRFC3339Nano} from '../../go/time.js'
export {isContainerized, osReleaseValue} from '../../platform/linux/host-facts.js'

/**
 * The `/info` body for `apiVersion`, field for field in system.Info order (API ≥ 1.50), or
 * moby's legacy shape below that (extra fields merged through a map, hence sorted keys).
 */
export function buildInfo(inputs: InfoInputs, apiVersion: string): Record<string, unknown> {
  return shapeForVersion(buildUnshapedInfo(inputs), apiVersion)
}
