// The plugins' life inside a daemon: start (one that fails fails the start, naming it), reload and
// shutdown (a failure is logged by name, never fatal), and what started plugins contribute at run
// time (the engine backend, request observers, /info entries). Loading them is src/plugins/registry.ts.
import type {ApiObservation, EngineBackend} from '../api/types.js'
import type {DaemonConfig} from '../config/types.js'
import type {LogSink} from '../log/types.js'
import type {DockerdPlugin, PluginContext, ReloadContext} from '../plugins/types.js'
import {tracer} from '../log/debug.js'

const trace = tracer('daemon')

/** A plugin's start failed: the daemon's start fails with this message. */
export class PluginStartError extends Error {
  constructor(readonly plugin: string, cause: unknown) {
    super(`plugin ${plugin}: ${(cause as Error).message}`)
  }
}

export class PluginLifecycle {
  /** Started, in start order (a plugin without a start hook counts as started). */
  private readonly started: DockerdPlugin[] = []

  constructor(
    readonly plugins: readonly DockerdPlugin[],
    private readonly log: LogSink,
  ) {}

  /** Starts each plugin in order; the first failure throws PluginStartError (call stopAll() to undo). */
  async startAll(ctx: PluginContext): Promise<void> {
    for (const plugin of this.plugins) {
      if (!plugin.start) {
        this.started.push(plugin)
        continue
      }

      try {
        trace('starting plugin %s', plugin.name)
        await plugin.start(ctx)
        this.started.push(plugin)
      } catch (error) {
        throw new PluginStartError(plugin.name, error)
      }
    }
  }

  async reloadAll(ctx: ReloadContext): Promise<void> {
    for (const plugin of this.started) {
      try {
        await plugin.reload?.(ctx)
      } catch (error) {
        this.log.error('plugin reload failed', {error: (error as Error).message, plugin: plugin.name})
      }
    }
  }

  /** Shuts the started plugins down, last started first; each at most once. */
  async stopAll(ctx: PluginContext): Promise<void> {
    for (const plugin of this.started.splice(0).reverse()) {
      try {
        await plugin.shutdown?.(ctx)
      } catch (error) {
        this.log.error('plugin shutdown failed', {error: (error as Error).message, plugin: plugin.name})
      }
    }
  }

  /** The engine backend in use: the first started plugin's that offers one now. */
  engine(): EngineBackend | undefined {
    for (const p of this.started) {
      const backend = p.engine?.()
      if (backend) return backend
    }

    return undefined
  }

  /** One observer calling every plugin that wants requests now; undefined when none does. */
  observer(): ((o: ApiObservation) => void) | undefined {
    const observers = this.plugins.filter((p) => p.observe && (p.observing?.() ?? true))
    if (observers.length === 0) return undefined
    return (o) => {
      for (const p of observers) {
        try {
          p.observe!(o)
        } catch {}
      }
    }
  }

  /** /info with each plugin's entries; the daemon's own fields win. */
  withInfo(config: DaemonConfig, info: Record<string, unknown>): Record<string, unknown> {
    const extra: Record<string, unknown> = {}
    for (const plugin of this.plugins) {
      if (!plugin.info) continue
      try {
        Object.assign(extra, plugin.info(config))
      } catch (error) {
        this.log.error('plugin info failed', {error: (error as Error).message, plugin: plugin.name})
      }
    }

    return Object.keys(extra).length === 0 ? info : {...extra, ...info}
  }
}
