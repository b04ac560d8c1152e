// Consumes the generated plugin UI registry for the storefront: only contributions of plugins the tenant
// enabled, page path matching, and running a contribution's server-side `load`.

import type { UiContributionModule, UiLoadContext } from '@masterstage/core/client'
import { storefront } from '$registry'
import { matchPagePath } from './page-path.ts'

type LazyModule = () => Promise<unknown>

export interface SectionEntry {
  plugin: string
  id: string
  load: LazyModule
}

export function enabledSections(enabledPlugins: readonly string[]): SectionEntry[] {
  return storefront.sections.filter((section) => enabledPlugins.includes(section.plugin))
}

export function enabledAccountSlots(enabledPlugins: readonly string[]) {
  return storefront.accountSlots.filter((slot) => enabledPlugins.includes(slot.plugin))
}

export interface PageMatch {
  plugin: string
  title: string
  params: Record<string, string>
  load: LazyModule
}

/** The first enabled plugin page whose declared path fits `path` (already decoded by SvelteKit). */
export function matchPage(path: string, enabledPlugins: readonly string[]): PageMatch | null {
  for (const page of storefront.pages) {
    if (!enabledPlugins.includes(page.plugin)) continue
    const params = matchPagePath(page.path, path)
    if (params) return { plugin: page.plugin, title: page.title, params, load: page.load }
  }
  return null
}

export async function loadContribution(load: LazyModule, context: UiLoadContext): Promise<unknown> {
  const module = (await load()) as UiContributionModule
  return module.load ? module.load(context) : null
}

export async function componentOf(load: LazyModule): Promise<unknown> {
  return ((await load()) as UiContributionModule).default
}
