// A portfwd plugin, in dockerd's plugin shape (dockerd-ts/plugins): it contributes a flag set to
// the daemon's table and observes every forwarded connection.

/** @returns {import('dockerd-ts/plugins').DockerdPlugin & {connection(c: {from: string, to: string}): void}} */
export function connLogPlugin() {
  let ctx
  return {
    name: 'conn-log',
    flagSets: [
      {
        helpGroup: 'CONNECTION LOG (PLUGIN CONN-LOG)',
        id: 'conn-log',
        options: [{description: 'Log every forwarded connection', kind: 'bool', name: 'log-connections'}],
        owner: 'conn-log',
      },
    ],
    start(context) {
      ctx = context
    },
    connection({from, to}) {
      if (ctx?.config.values['log-connections'] === true) ctx.log.info('connection forwarded', {from, to})
    },
  }
}
