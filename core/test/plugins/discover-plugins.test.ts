// Plugin discovery from a plugins folder and the generated UI registry the web apps import.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { discoverPlugins } from '../../src/plugins/discover-plugins.ts'
import { GENERATED_HEADER, generateUiRegistry } from '../../src/plugins/generate-ui-registry.ts'

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'plugins')
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function tempPlugins(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ms-plugins-'))
  dirs.push(root)
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true })
    await writeFile(join(root, path), content)
  }
  return root
}

const manifest = (name: string, extra = '') =>
  `export default { name: '${name}', version: '1.0.0', description: '${name} plugin'${extra} }\n`

describe('plugin discovery', () => {
  it('finds plugins by package.json masterstage.plugin and validates them with their folder', async () => {
    const found = await discoverPlugins(fixtures)
    expect(found.map((plugin) => [plugin.name, plugin.manifest.version])).toEqual([['notes', '1.2.0']])
    expect(found[0].dir).toBe(join(fixtures, 'notes'))
    expect(found[0].entry).toBe(join(fixtures, 'notes', 'plugin.ts'))
  })

  it('falls back to plugin.ts, skips folders without a plugin, sorts by name', async () => {
    const root = await tempPlugins({
      'zeta/plugin.ts': manifest('zeta'),
      'alpha/package.json': JSON.stringify({ name: 'alpha', masterstage: { plugin: 'src/manifest.ts' } }),
      'alpha/src/manifest.ts': manifest('alpha'),
      'docs/README.md': 'not a plugin'
    })
    expect((await discoverPlugins(root)).map((plugin) => plugin.name)).toEqual(['alpha', 'zeta'])
    expect(await discoverPlugins(join(root, 'missing'))).toEqual([])
  })

  it('follows linked plugin folders and ignores dangling links', async () => {
    const elsewhere = await tempPlugins({ 'beta/plugin.ts': manifest('beta') })
    const root = await tempPlugins({ 'alpha/plugin.ts': manifest('alpha') })
    await symlink(join(elsewhere, 'beta'), join(root, 'beta'), 'dir')
    await symlink(join(elsewhere, 'gone'), join(root, 'gone'), 'dir')
    const found = await discoverPlugins(root)
    expect(found.map((plugin) => plugin.name)).toEqual(['alpha', 'beta'])
    expect(found[1].dir).toBe(join(root, 'beta'))
  })

  it('stops with PLUGIN_INVALID when a manifest does not match its folder', async () => {
    const root = await tempPlugins({ 'billing/plugin.ts': manifest('payments') })
    await expect(discoverPlugins(root)).rejects.toMatchObject({
      message: 'Plugin "payments" has an invalid manifest: name must equal its folder name "billing"',
      data: { code: 'PLUGIN_INVALID' }
    })
  })

  it('stops when package.json points to a missing manifest or the module exports none', async () => {
    const missing = await tempPlugins({
      'shop/package.json': JSON.stringify({ masterstage: { plugin: 'nope.ts' } })
    })
    await expect(discoverPlugins(missing)).rejects.toThrow(
      /masterstage.plugin points to a missing file nope.ts/
    )
    const empty = await tempPlugins({ 'shop/plugin.ts': 'export const nothing = 1\n' })
    await expect(discoverPlugins(empty)).rejects.toThrow(/has no default export/)
  })
})

describe('UI registry generation', () => {
  it('writes every contribution with a lazy import relative to the output file, marked generated', async () => {
    const root = await tempPlugins({
      'beta/plugin.ts': manifest(
        'beta',
        `, ui: { storefront: { sections: [{ id: 'hero', component: 'ui/hero.svelte', order: 1 }] }, dashboard: { widgets: [{ id: 'late', component: 'ui/w.svelte', title: 'Late', roles: ['host'], order: 50 }] } }`
      ),
      'beta/ui/hero.svelte': '<p>hero</p>',
      'beta/ui/w.svelte': '<p>w</p>'
    })
    const plugins = [...(await discoverPlugins(fixtures)), ...(await discoverPlugins(root))]
    const outFile = join(root, 'web', 'src', 'lib', 'plugin-registry.generated.ts')
    const result = await generateUiRegistry(plugins, outFile)
    expect(result.changed).toBe(true)
    const content = await readFile(outFile, 'utf8')
    expect(content.split('\n')[0]).toBe(GENERATED_HEADER)
    expect(content).toContain('// Plugins: beta@1.0.0, notes@1.2.0')
    expect(content).toContain('{ plugin: "notes", path: "notes", title: "Notes", load: () => import(')
    expect(content).toMatch(
      /load: \(\) => import\("[./]+[^"]*\/fixtures\/plugins\/notes\/storefront\/notes-page\.svelte"\)/
    )
    expect(content).toContain(
      '{ plugin: "beta", id: "hero", order: 1, load: () => import("../../../beta/ui/hero.svelte") }'
    )
    // Widgets are ordered by `order`: notes (5) before beta (50).
    expect(content.indexOf('id: "notes"')).toBeLessThan(content.indexOf('id: "late"'))
    expect(content).toContain(
      '{ plugin: "notes", label: "Notes", href: "/p/notes", roles: ["host"], icon: null }'
    )
    expect((await generateUiRegistry(plugins, outFile)).changed).toBe(false)
  })

  it('writes empty lists when no plugin contributes UI', async () => {
    const root = await tempPlugins({ 'plain/plugin.ts': manifest('plain') })
    const { content } = await generateUiRegistry(
      await discoverPlugins(root),
      join(root, 'registry.generated.ts')
    )
    expect(content).toContain('pages: [],')
    expect(content).toContain('// Plugins: plain@1.0.0')
  })
})
