// Shared by the authorization e2e tests: client certificates for several users (their CN is the
// user name) and the example policy plugin installed into an isolated DOCKERD_DATA_DIR.
import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {BIN, ROOT, isolatedEnv} from './run.js'

export const PLUGIN_ROOT = join(ROOT, 'examples', 'authz-policy')

/** A CA, a server certificate for 127.0.0.1, a client certificate per user. */
export interface UserCerts {
  ca: string
  serverCert: string
  serverKey: string
  /** `<name>.pem` / `<name>-key.pem` for each client. */
  client(name: string): {cert: string; key: string}
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, {cwd, encoding: 'utf8', timeout: 20_000})
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`)
}

export function makeUserCerts(dir: string, clients: readonly string[]): UserCerts {
  mkdirSync(dir, {recursive: true})
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(['req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=authz-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir)
  const leaf = (name: string, ext: string): void => {
    openssl(['req', '-new', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir)
    writeFileSync(join(dir, `${name}.ext`), ext)
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir)
  }

  leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n')
  for (const name of clients) leaf(name, 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n')
  return {
    ca: join(dir, 'ca.pem'),
    client: (name) => ({cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`)}),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
  }
}

/** How the last installPolicyPlugin() installed it (for test diagnostics). */
export let installMethod = ''

/**
 * `dockerd plugins link <abs path> --no-install` with DOCKERD_DATA_DIR=dataDir. Until the
 * `plugins` command exists in the built binary, falls back to writing the data dir's
 * package.json the way @oclif/plugin-plugins does for a linked plugin (and says so).
 */
export function installPolicyPlugin(home: string, dataDir: string): void {
  mkdirSync(dataDir, {recursive: true})
  const r = spawnSync(process.execPath, [BIN, 'plugins', 'link', PLUGIN_ROOT, '--no-install'], {
    encoding: 'utf8',
    env: isolatedEnv(home, {DOCKERD_DATA_DIR: dataDir}),
    timeout: 60_000,
  })
  if (r.status === 0) {
    installMethod = 'dockerd plugins link'
    return
  }

  // The daemon command itself answered: there is no `plugins` command (yet).
  const noPluginsCommand = /unknown flag: --no-install|"dockerd" accepts no argument/.test(r.stderr)
  if (!noPluginsCommand) throw new Error(`dockerd plugins link failed (status ${r.status}):\n${r.stderr}${r.stdout}`)
  installMethod = 'fallback: wrote <DOCKERD_DATA_DIR>/package.json (the built dockerd has no `plugins link` command yet)'
  writeFileSync(
    join(dataDir, 'package.json'),
    JSON.stringify({oclif: {plugins: [{name: 'dockerd-authz-policy', root: PLUGIN_ROOT, type: 'link'}], schema: 1}, private: true}, null, 2),
  )
}
