// The plugin host: validates manifests, orders them by dependency, and wires each plugin's models,
// services, event subscribers, jobs and webhook routes into the app through its PluginContext.
import type { Model } from 'mongoose'
import type { Application } from '../app/declarations.ts'
import { registerService } from '../app/register-service.ts'
import { tenantScopedPlugin } from '../data/tenant-scoped-plugin.ts'
import type { EventHandlerContext } from '../events/domain-events.ts'
import type { JobRegistry } from '../jobs/job-registry.ts'
import '../jobs/app-settings.ts'
import { subscriberName, validateManifest } from './manifest-schema.ts'
import type { PluginContext } from './plugin-context.ts'
import { PluginInvalidError } from './plugin-errors.ts'
import type { PluginManifest } from './plugin-manifest.ts'
import { orderPlugins } from './plugin-order.ts'
import { readPluginPlatformConfigs } from './plugin-platform-config.ts'
import { syncRepeatableSchedules } from './repeatable-job-schedules.ts'
import { createPluginSecrets, createPluginTenantConfig, pluginConfig } from './tenant-plugin-state.ts'
import { mountWebhookRoute } from './webhook-routes.ts'

export interface LoadedPlugin {
  manifest: PluginManifest
  context: PluginContext
}

const loadedByApp = new WeakMap<Application, LoadedPlugin[]>()

/** Model name on the connection; the collection is `<plugin>_<model>`. */
export function pluginModelName(plugin: string, model: string): string {
  return `${plugin}.${model}`
}

export function pluginCollectionName(plugin: string, model: string): string {
  return `${plugin}_${model}`.replaceAll('-', '_')
}

/**
 * Needs `config`, `logger`, `mongoose`, `events`, `email` and `jobs` on the app (configureEvents first).
 * Services register through registerService, so every plugin service answers 404 on tenants without it.
 */
export async function loadPlugins(app: Application, manifests: readonly PluginManifest[]): Promise<void> {
  if (loadedByApp.has(app)) throw new Error('loadPlugins has already run for this app')
  for (const setting of ['config', 'logger', 'mongoose', 'events', 'email', 'jobs'] as const) {
    if (!app.get(setting))
      throw new Error(`loadPlugins needs app.get('${setting}'); run configureEvents(app) first`)
  }
  const ordered = orderPlugins(manifests.map((manifest) => validateManifest(manifest)))
  // Before any setup: a broken deployment stops with every plugin's problems and no side effect.
  const platformConfigs = readPluginPlatformConfigs(ordered, process.env)
  const loaded: LoadedPlugin[] = []
  loadedByApp.set(app, loaded)
  for (const manifest of ordered) {
    const context = createContext(app, manifest, platformConfigs.get(manifest.name))
    // Unique indexes must exist before the first write relies on them (a fresh database otherwise takes
    // concurrent duplicates), as core's own models do in configure-access.
    await Promise.all(registerModels(app, manifest, context).map((model) => model.init()))
    registerServices(app, manifest, context)
    registerSubscribers(manifest, context)
    registerJobs(app.get('jobs'), manifest, context)
    for (const route of manifest.webhooks ?? []) mountWebhookRoute(app, manifest.name, route, context)
    await manifest.setup?.(context)
    loaded.push({ manifest, context })
    context.logger.info({ version: manifest.version }, 'plugin loaded')
  }
  app.set('plugins', new Map(ordered.map((manifest) => [manifest.name, manifest])))
  syncRepeatableSchedules(app)
}

/** The plugins loadPlugins set up for this app, in dependency order, each with its context. */
export function loadedPlugins(app: Application): readonly LoadedPlugin[] {
  return loadedByApp.get(app) ?? []
}

/** Calls each plugin's start in dependency order (when the app starts listening). */
export async function startPlugins(app: Application): Promise<void> {
  for (const { manifest, context } of loadedByApp.get(app) ?? []) await manifest.start?.(context)
}

/** Calls each plugin's stop in reverse order; one failing stop does not keep the others running. */
export async function stopPlugins(app: Application): Promise<void> {
  for (const { manifest, context } of [...(loadedByApp.get(app) ?? [])].reverse()) {
    try {
      await manifest.stop?.(context)
    } catch (error) {
      context.logger.error({ err: { message: (error as Error).message } }, 'plugin stop failed')
    }
  }
}

function createContext(app: Application, manifest: PluginManifest, platformConfig: unknown): PluginContext {
  const models = new Map<string, Model<any>>()
  const jobNames = new Set((manifest.jobs ?? []).map((job) => job.name))
  const registry = app.get('jobs')
  const context: PluginContext = {
    plugin: { name: manifest.name, version: manifest.version },
    app,
    config: pluginConfig(app.get('config')),
    platformConfig,
    logger: app.get('logger').child({ plugin: manifest.name }),
    events: app.get('events'),
    email: app.get('email'),
    tenants: createPluginTenantConfig(app, manifest),
    secrets: createPluginSecrets(app, manifest),
    models: {
      get(name) {
        const model = models.get(name)
        // Only its own models: another plugin's data is reached through its services or events.
        if (!model)
          throw new PluginInvalidError(`Plugin "${manifest.name}" has no model "${name}"`, {
            plugin: manifest.name
          })
        return model
      }
    },
    jobs: {
      async enqueue(name, data, options = {}) {
        if (!jobNames.has(name)) throw new Error(`Plugin "${manifest.name}" has no job "${name}"`)
        await registry.enqueue(`${manifest.name}.${name}`, data, options)
      }
    }
  }
  modelsByContext.set(context, models)
  return context
}

const modelsByContext = new WeakMap<PluginContext, Map<string, Model<any>>>()

function registerModels(app: Application, manifest: PluginManifest, context: PluginContext): Model<any>[] {
  const connection = app.get('mongoose')
  const models = modelsByContext.get(context)!
  for (const definition of manifest.models ?? []) {
    if (definition.tenantScoped !== false) definition.schema.plugin(tenantScopedPlugin)
    const modelName = pluginModelName(manifest.name, definition.name)
    const model =
      connection.models[modelName] ??
      connection.model(modelName, definition.schema, pluginCollectionName(manifest.name, definition.name))
    models.set(definition.name, model)
  }
  return [...models.values()]
}

function registerServices(app: Application, manifest: PluginManifest, context: PluginContext): void {
  for (const definition of manifest.services ?? []) {
    registerService(app, {
      path: `${manifest.name}/${definition.path}`,
      service: definition.create(context),
      methods: definition.methods,
      events: definition.events,
      access: definition.access,
      tenantScoped: definition.tenantScoped,
      plugin: manifest.name,
      realtime: definition.realtime,
      hooks: definition.hooks
    })
  }
}

function registerSubscribers(manifest: PluginManifest, context: PluginContext): void {
  for (const subscriber of manifest.subscribers ?? []) {
    const handlerName = subscriberName(manifest.name, subscriber)
    context.events.subscribe(
      subscriber.event,
      handlerName,
      async (event, handlerContext: EventHandlerContext) => {
        if (event.tenantId && !(await context.tenants.isEnabled(event.tenantId))) {
          handlerContext.logger.info(
            { tenantId: event.tenantId },
            'event skipped: plugin not enabled for tenant'
          )
          return
        }
        await subscriber.handle(event, { ...context, ...handlerContext })
      }
    )
  }
}

function registerJobs(registry: JobRegistry, manifest: PluginManifest, context: PluginContext): void {
  for (const job of manifest.jobs ?? []) {
    registry.define({
      queue: `${manifest.name}.${job.name}`,
      plugin: manifest.name,
      attempts: job.attempts,
      backoffMs: job.backoffMs,
      concurrency: job.concurrency,
      repeat: job.repeat && {
        cron: job.repeat.cron,
        perTenant: job.repeat.perTenant,
        tenantIds: () => context.tenants.enabledTenantIds()
      },
      // A tenant that disabled the plugin since the job was queued gets nothing done for it.
      shouldRun: async (tenantId) => tenantId === null || (await context.tenants.isEnabled(tenantId)),
      handle: (data, run) =>
        job.handle(data, { ...context, logger: run.logger, attempt: run.attempt, jobId: run.jobId })
    })
  }
}
