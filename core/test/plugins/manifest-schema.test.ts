// Manifest validation at boot: every problem reported at once, each naming the plugin and the field.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Schema } from 'mongoose'
import { afterAll, describe, expect, it } from 'vitest'
import { manifestErrors, validateManifest } from '../../src/plugins/manifest-schema.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import notes from '../fixtures/plugins/notes/plugin.ts'

const noop = async () => undefined
const service = {
  path: 'items',
  create: () => ({ find: noop }),
  methods: ['find'],
  access: { find: 'public' }
}
const minimal: PluginManifest = { name: 'shop', version: '1.0.0', description: 'A shop' }
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('plugin manifest validation', () => {
  it('accepts a minimal manifest and the full fixture plugin (with its folder)', () => {
    expect(validateManifest(minimal)).toBe(minimal)
    const dir = join(import.meta.dirname, '..', 'fixtures', 'plugins', 'notes')
    expect(manifestErrors(notes, { dir })).toEqual([])
  })

  it('takes rewrapSecrets only as a function', () => {
    const rewrapSecrets = async () => ({ rewritten: 0, current: 0, failed: [] })
    expect(manifestErrors({ ...minimal, rewrapSecrets })).toEqual([])
    expect(manifestErrors({ ...minimal, rewrapSecrets: 'yes' } as never)).toEqual([
      expect.objectContaining({ path: 'rewrapSecrets' })
    ])
  })

  it('names the plugin and every invalid field in one error with code PLUGIN_INVALID', () => {
    const manifest = {
      name: 'Shop_Plugin',
      version: 'v1',
      description: '',
      dependsOn: ['payments', 'payments', 'Bad Name'],
      models: [{ name: 'order', schema: {} }],
      services: [
        { path: '/items', create: 'nope', methods: ['find', 'create'], access: { find: 'everyone' } },
        { ...service, path: 'items' },
        { ...service, path: 'items' }
      ],
      subscribers: [{ event: 'LeadCreated', handle: noop }],
      jobs: [
        { name: 'sync', handle: noop, repeat: { cron: 'every minute', perTenant: 'yes' } },
        { name: 'sync', handle: noop, attempts: 0 }
      ],
      webhooks: [{ method: 'PUT', path: 'stripe', handle: noop }],
      setup: 'later'
    }
    let thrown: any
    try {
      validateManifest(manifest)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({
      name: 'PluginInvalidError',
      data: { code: 'PLUGIN_INVALID', plugin: 'Shop_Plugin' }
    })
    expect(thrown.message).toMatch(/^Plugin "Shop_Plugin" has an invalid manifest: name must be kebab-case/)
    const paths = thrown.errors.map((error: { path: string }) => error.path)
    expect(paths).toEqual([
      'name',
      'version',
      'description',
      'dependsOn[2]',
      'dependsOn[1]',
      'models[0].schema',
      'services[0].path',
      'services[0].create',
      'services[0].access.find',
      'services[0].access.create',
      'services[2]',
      'subscribers[0].event',
      'jobs[0].repeat.cron',
      'jobs[0].repeat.perTenant',
      'jobs[1].attempts',
      'jobs[1]',
      'webhooks[0].method',
      'setup'
    ])
    expect(thrown.errors).toContainEqual({
      path: 'services[0].access.create',
      message: 'is required for an exposed method'
    })
    expect(thrown.errors).toContainEqual({ path: 'services[2]', message: 'duplicate name "items"' })
    expect(thrown.errors).toContainEqual({ path: 'jobs[1]', message: 'duplicate name "sync"' })
  })

  it('refuses two subscribers with the same handler name (it keys exactly-once delivery)', () => {
    const errors = manifestErrors({
      ...minimal,
      subscribers: [
        { event: 'lead.created', handle: noop },
        { event: 'lead.created', handle: noop }
      ]
    })
    expect(errors).toEqual([
      { path: 'subscribers[1]', message: 'duplicate handler name "shop.lead.created"' }
    ])
  })

  it('requires the name to equal the folder and UI component files to exist in it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ms-manifest-'))
    dirs.push(root)
    const dir = join(root, 'shop')
    await mkdir(join(dir, 'storefront'), { recursive: true })
    await writeFile(join(dir, 'storefront', 'page.svelte'), '<p>shop</p>')
    const ui = {
      storefront: {
        pages: [
          { path: 'shop', component: 'storefront/page.svelte', title: 'Shop' },
          { path: 'cart', component: 'storefront/cart.svelte', title: 'Cart' },
          { path: 'x', component: '../outside.svelte', title: 'X' }
        ]
      },
      dashboard: { widgets: [{ id: 'w', component: 'dashboard/w.svelte', title: 'W', roles: ['janitor'] }] }
    }
    expect(manifestErrors({ ...minimal, ui }, { dir })).toEqual([
      { path: 'ui.storefront.pages[1].component', message: 'file not found: storefront/cart.svelte' },
      { path: 'ui.storefront.pages[2].component', message: 'must stay inside the plugin folder' },
      { path: 'ui.dashboard.widgets[0].roles', message: 'must be a list of roles' },
      { path: 'ui.dashboard.widgets[0].component', message: 'file not found: dashboard/w.svelte' }
    ])
    expect(manifestErrors({ ...minimal, name: 'store' }, { dir })).toEqual([
      { path: 'name', message: 'must equal its folder name "shop"' }
    ])
  })

  it('accepts access rules of every documented form', () => {
    const access = {
      find: 'public',
      get: 'authenticated',
      create: ['host', 'agency_admin'],
      patch: { roles: ['attendee'], own: 'userId' }
    }
    const manifest = {
      ...minimal,
      models: [{ name: 'order', schema: new Schema({}) }],
      services: [{ ...service, methods: ['find', 'get', 'create', 'patch'], access }]
    }
    expect(manifestErrors(manifest)).toEqual([])
    expect(
      manifestErrors({ ...manifest, services: [{ ...service, access: { find: { roles: [] } } }] })
    ).toEqual([
      {
        path: 'services[0].access.find',
        message: "must be 'public', 'authenticated', a list of roles or { roles, own }"
      }
    ])
  })

  it('requires per-tenant settings and secrets to be object schemas', () => {
    expect(
      manifestErrors({ ...minimal, config: { settings: { greeting: 'hi' }, secrets: 'apiKey' } })
    ).toEqual([
      { path: 'config.settings', message: 'must be a TypeBox object schema (Type.Object({...}))' },
      { path: 'config.secrets', message: 'must be a TypeBox object schema (Type.Object({...}))' }
    ])
  })

  it('refuses something that is not a manifest at all', () => {
    expect(() => validateManifest(undefined)).toThrow(
      /Plugin "<unnamed>" has an invalid manifest: manifest must be an object/
    )
  })
})
