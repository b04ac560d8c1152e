// Consumes the generated plugin UI registry for the dashboard: nav entries, pages and home widgets of the
// plugins the selected tenant enabled, for the signed-in user's role.

import type { Role } from '@masterstage/core/auth/roles.ts'
import type { UiContributionModule, UiLoadContext } from '@masterstage/core/client'
import { dashboard } from '$registry'

type LazyModule = () => Promise<unknown>

function visible(
  entry: { plugin: string; roles: readonly string[] },
  enabled: readonly string[],
  role: Role
): boolean {
  return enabled.includes(entry.plugin) && entry.roles.includes(role)
}

export function pluginNav(enabled: readonly string[], role: Role) {
  return dashboard.nav
    .filter((entry) => visible(entry, enabled, role))
    .map((entry) => ({ label: entry.label, href: entry.href, plugin: entry.plugin }))
}

export function pluginWidgets(enabled: readonly string[], role: Role) {
  return dashboard.widgets.filter((entry) => visible(entry, enabled, role))
}

export function pluginPage(path: string, enabled: readonly string[], role: Role) {
  const wanted = path.split('/').filter(Boolean).join('/')
  return dashboard.pages.find((entry) => entry.path === wanted && visible(entry, enabled, role)) ?? null
}

export async function loadContribution(load: LazyModule, context: UiLoadContext): Promise<unknown> {
  const module = (await load()) as UiContributionModule
  return module.load ? module.load(context) : null
}

export async function componentOf(load: LazyModule): Promise<unknown> {
  return ((await load()) as UiContributionModule).default
}
