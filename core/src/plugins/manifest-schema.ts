// Validates a plugin manifest at boot and reports every problem at once, each naming plugin and field.
import { existsSync, statSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { Schema } from 'mongoose'
import { isRole } from '../auth/roles.ts'
import type { FieldError } from '../errors/codes.ts'
import { PluginInvalidError } from './plugin-errors.ts'
import type { AccessRule, PluginManifest } from './plugin-manifest.ts'

export const PLUGIN_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/
const EVENT_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/
const SEGMENT_NAME = /^[a-z][a-zA-Z0-9-]*$/
const SERVICE_PATH = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/
const WEBHOOK_PATH = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/
const HANDLER_NAME = /^[a-z0-9][a-z0-9._-]*$/i
const CRON = /^(\S+\s+){4,5}\S+$/

export interface ManifestValidationOptions {
  /** The plugin's folder: its name must equal the folder name, UI component files must exist in it. */
  dir?: string
}

/** Throws PluginInvalidError listing every problem; returns the manifest typed when valid. */
export function validateManifest(manifest: unknown, options: ManifestValidationOptions = {}): PluginManifest {
  const errors = manifestErrors(manifest, options)
  if (errors.length === 0) return manifest as PluginManifest
  const name =
    typeof (manifest as any)?.name === 'string' ? (manifest as any).name : (options.dir ?? '<unnamed>')
  const list = errors.map((error) => `${error.path} ${error.message}`).join('; ')
  throw new PluginInvalidError(`Plugin "${name}" has an invalid manifest: ${list}`, { plugin: name, errors })
}

export function manifestErrors(manifest: unknown, options: ManifestValidationOptions = {}): FieldError[] {
  const errors: FieldError[] = []
  const fail = (path: string, message: string) => errors.push({ path, message })
  if (manifest === null || typeof manifest !== 'object') {
    fail('manifest', 'must be an object (export default definePlugin({...}))')
    return errors
  }
  const m = manifest as Record<string, any>

  if (typeof m.name !== 'string' || !PLUGIN_NAME.test(m.name))
    fail('name', 'must be kebab-case, e.g. "sales-pipeline"')
  else if (options.dir) {
    const folder = options.dir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop()
    if (folder !== m.name) fail('name', `must equal its folder name "${folder}"`)
  }
  if (typeof m.version !== 'string' || !SEMVER.test(m.version))
    fail('version', 'must be a semver version, e.g. "1.0.0"')
  if (typeof m.description !== 'string' || m.description.trim() === '') fail('description', 'is required')

  if (m.config !== undefined) {
    if (m.config === null || typeof m.config !== 'object') fail('config', 'must be { settings?, secrets? }')
    else {
      for (const part of ['settings', 'secrets'] as const) {
        const schema = m.config[part]
        if (schema !== undefined && (schema?.type !== 'object' || typeof schema?.properties !== 'object')) {
          fail(`config.${part}`, 'must be a TypeBox object schema (Type.Object({...}))')
        }
      }
    }
  }

  if (m.platformConfig !== undefined && typeof m.platformConfig !== 'function')
    fail('platformConfig', 'must be a function reading the environment reader it is given')
  if (m.rewrapSecrets !== undefined && typeof m.rewrapSecrets !== 'function')
    fail(
      'rewrapSecrets',
      'must be a function (ctx, { tenantIds, progress }) => { rewritten, current, failed }'
    )

  checkList(m, 'dependsOn', fail, (dependency, path) => {
    if (typeof dependency !== 'string' || !PLUGIN_NAME.test(dependency)) fail(path, 'must be a plugin name')
    else if (dependency === m.name) fail(path, 'a plugin cannot depend on itself')
  })
  checkUnique(m.dependsOn, (d) => d, 'dependsOn', fail)

  checkList(m, 'models', fail, (model, path) => {
    if (typeof model?.name !== 'string' || !SEGMENT_NAME.test(model.name))
      fail(`${path}.name`, 'must be a name like "note"')
    if (!(model?.schema instanceof Schema)) fail(`${path}.schema`, 'must be a mongoose Schema')
  })
  checkUnique(m.models, (model) => model?.name, 'models', fail)

  checkList(m, 'services', fail, (service, path) => {
    if (typeof service?.path !== 'string' || !SERVICE_PATH.test(service.path)) {
      fail(`${path}.path`, 'must be a relative path like "notes" (mounted at <plugin>/<path>)')
    }
    if (typeof service?.create !== 'function') fail(`${path}.create`, 'must be a function (ctx) => service')
    if (
      !Array.isArray(service?.methods) ||
      service.methods.some((method: unknown) => typeof method !== 'string')
    ) {
      fail(`${path}.methods`, 'must be a list of method names')
    }
    if (service?.access === null || typeof service?.access !== 'object') {
      fail(`${path}.access`, 'is required: an access rule for every exposed method')
    } else if (Array.isArray(service.methods)) {
      for (const method of service.methods) {
        const rule = service.access[method]
        if (rule === undefined) fail(`${path}.access.${method}`, 'is required for an exposed method')
        else if (!isAccessRule(rule)) {
          fail(
            `${path}.access.${method}`,
            "must be 'public', 'authenticated', a list of roles or { roles, own }"
          )
        }
      }
    }
  })
  checkUnique(m.services, (service) => service?.path, 'services', fail)

  checkList(m, 'subscribers', fail, (subscriber, path) => {
    if (typeof subscriber?.event !== 'string' || !EVENT_NAME.test(subscriber.event)) {
      fail(`${path}.event`, 'must be an event name like "lead.created"')
    }
    if (typeof subscriber?.handle !== 'function') fail(`${path}.handle`, 'must be a function')
    if (
      subscriber?.name !== undefined &&
      (typeof subscriber.name !== 'string' || !HANDLER_NAME.test(subscriber.name))
    ) {
      fail(`${path}.name`, 'must be letters, digits, dots, dashes or underscores')
    }
  })
  checkUnique(
    m.subscribers,
    (subscriber) => subscriberName(m.name, subscriber),
    'subscribers',
    fail,
    'handler name'
  )

  checkList(m, 'jobs', fail, (job, path) => {
    if (typeof job?.name !== 'string' || !SEGMENT_NAME.test(job.name))
      fail(`${path}.name`, 'must be a name like "send-reminder"')
    if (typeof job?.handle !== 'function') fail(`${path}.handle`, 'must be a function')
    if (job?.repeat !== undefined) {
      if (typeof job.repeat?.cron !== 'string' || !CRON.test(job.repeat.cron.trim())) {
        fail(`${path}.repeat.cron`, 'must be a cron expression with 5 or 6 fields')
      }
      if (typeof job.repeat?.perTenant !== 'boolean')
        fail(`${path}.repeat.perTenant`, 'must be true or false')
    }
    for (const field of ['attempts', 'backoffMs', 'concurrency'] as const) {
      if (job?.[field] !== undefined && !(Number.isInteger(job[field]) && job[field] > 0)) {
        fail(`${path}.${field}`, 'must be a positive integer')
      }
    }
  })
  checkUnique(m.jobs, (job) => job?.name, 'jobs', fail)

  checkList(m, 'webhooks', fail, (webhook, path) => {
    if (webhook?.method !== 'POST' && webhook?.method !== 'GET')
      fail(`${path}.method`, "must be 'POST' or 'GET'")
    if (typeof webhook?.path !== 'string' || !WEBHOOK_PATH.test(webhook.path)) {
      fail(`${path}.path`, 'must be a relative path like "stripe" (mounted at /webhooks/<plugin>/<path>)')
    }
    if (typeof webhook?.handle !== 'function') fail(`${path}.handle`, 'must be a function')
  })
  checkUnique(m.webhooks, (webhook) => `${webhook?.method} ${webhook?.path}`, 'webhooks', fail, 'route')

  for (const hook of ['setup', 'start', 'stop'] as const) {
    if (m[hook] !== undefined && typeof m[hook] !== 'function') fail(hook, 'must be a function')
  }
  checkUi(m.ui, options.dir, fail)
  return errors
}

export function subscriberName(plugin: string, subscriber: { name?: string; event: string }): string {
  return subscriber?.name ?? `${plugin}.${subscriber?.event}`
}

function isAccessRule(rule: unknown): rule is AccessRule {
  if (rule === 'public' || rule === 'authenticated') return true
  if (Array.isArray(rule)) return rule.length > 0 && rule.every(isRole)
  if (rule && typeof rule === 'object') {
    const { roles, own } = rule as { roles?: unknown; own?: unknown }
    return (
      Array.isArray(roles) &&
      roles.length > 0 &&
      roles.every(isRole) &&
      (own === undefined || typeof own === 'string')
    )
  }
  return false
}

type Fail = (path: string, message: string) => void

function checkList(
  m: Record<string, any>,
  field: string,
  fail: Fail,
  each: (item: any, path: string) => void
): void {
  const value = m[field]
  if (value === undefined) return
  if (!Array.isArray(value)) {
    fail(field, 'must be a list')
    return
  }
  for (const [index, item] of value.entries()) each(item, `${field}[${index}]`)
}

function checkUnique(
  list: unknown,
  key: (item: any) => unknown,
  field: string,
  fail: Fail,
  what = 'name'
): void {
  if (!Array.isArray(list)) return
  const seen = new Set<unknown>()
  list.forEach((item, index) => {
    const value = key(item)
    if (value === undefined) return
    if (seen.has(value)) fail(`${field}[${index}]`, `duplicate ${what} "${value}"`)
    seen.add(value)
  })
}

function checkUi(ui: any, dir: string | undefined, fail: Fail): void {
  if (ui === undefined) return
  if (ui === null || typeof ui !== 'object') {
    fail('ui', 'must be an object')
    return
  }
  const groups: [string, readonly string[]][] = [
    ['storefront', ['pages', 'sections', 'accountSlots']],
    ['dashboard', ['pages', 'widgets', 'nav']]
  ]
  for (const [area, lists] of groups) {
    const section = ui[area]
    if (section === undefined) continue
    for (const list of lists) {
      const items = section?.[list]
      if (items === undefined) continue
      if (!Array.isArray(items)) {
        fail(`ui.${area}.${list}`, 'must be a list')
        continue
      }
      items.forEach((item: any, index: number) => {
        const path = `ui.${area}.${list}[${index}]`
        if (item?.roles !== undefined && !(Array.isArray(item.roles) && item.roles.every(isRole))) {
          fail(`${path}.roles`, 'must be a list of roles')
        }
        if (list === 'nav') {
          if (typeof item?.label !== 'string' || typeof item?.href !== 'string')
            fail(path, 'needs a label and an href')
          return
        }
        if (typeof item?.component !== 'string' || item.component === '') {
          fail(`${path}.component`, 'must be a path to a component file, relative to the plugin folder')
        } else if (isAbsolute(item.component) || item.component.split(/[\\/]/).includes('..')) {
          fail(`${path}.component`, 'must stay inside the plugin folder')
        } else if (dir && !isFile(join(dir, item.component))) {
          fail(`${path}.component`, `file not found: ${item.component}`)
        }
      })
    }
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile()
}
