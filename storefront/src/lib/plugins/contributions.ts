// Consumes the generated plugin UI registry for the storefront: only contributions of plugins the tenant
// enabled, page path matching, and running a contribution's server-side `load`.

import type { UiContributionModule, UiLoadContext } from '@masterstage/core/client'
import { storefront } from '$registry'

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

/** Matches `masterclasses/abc` against declared paths like `masterclasses/[id]`. */
export function matchPage(path: string, enabledPlugins: readonly string[]): PageMatch | null {
  const parts = path.split('/').filter(Boolean)
  for (const page of storefront.pages) {
    if (!enabledPlugins.includes(page.plugin)) continue
    const pattern = page.path.split('/').filter(Boolean)
    if (pattern.length !== parts.length) continue
    const params: Record<string, string> = {}
    const matches = pattern.every((segment, index) => {
      const dynamic = /^\[(\w+)\]$/.exec(segment)
      if (dynamic) {
        params[dynamic[1]] = decodeURIComponent(parts[index])
        return true
      }
      return segment === parts[index]
    })
    if (matches) return { plugin: page.plugin, title: page.title, params, load: page.load }
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
