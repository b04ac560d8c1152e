// Routes a landing-page form POST to the plugin section that handles it, so plugin forms work without
// JavaScript. Convention (ui-contract.ts): the form posts to `?/<plugin>-<name>` and exactly one enabled
// section of that plugin exports `action`. No plugin is named here; the registry says what exists.
import type { UiContributionModule } from '@masterstage/core/client'
import { enabledSections } from './contributions.ts'

export { safeRedirect } from './safe-redirect.ts'

export interface SectionAction {
  /** `<plugin>:<section id>`: which section the result belongs to. */
  key: string
  action: NonNullable<UiContributionModule['action']>
}

export const sectionKey = (plugin: string, id: string) => `${plugin}:${id}`

export async function sectionActionFor(
  actionName: string,
  enabledPlugins: readonly string[]
): Promise<SectionAction | null> {
  const candidates = enabledSections(enabledPlugins).filter((section) =>
    actionName.startsWith(`${section.plugin}-`)
  )
  const withAction: SectionAction[] = []
  for (const section of candidates) {
    const module = (await section.load()) as UiContributionModule
    if (typeof module.action === 'function')
      withAction.push({ key: sectionKey(section.plugin, section.id), action: module.action })
  }
  // Two handlers for one plugin would be ambiguous: refuse rather than guess.
  return withAction.length === 1 ? withAction[0] : null
}

/** fail() takes 400–599; anything else a plugin reports is treated as a plain bad request. */
export function failureStatus(status: number): number {
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 400
}
