// Resolves the account slot components contributed by the tenant's enabled plugins.
import { componentOf, enabledAccountSlots } from '$lib/plugins/contributions.ts'
import type { PageLoad } from './$types'

export const load: PageLoad = async ({ data, parent }) => {
  const { site } = await parent()
  const entries = enabledAccountSlots(site.enabledPlugins)
  const slots = await Promise.all(
    data.slots.map(async (slot) => {
      const entry = entries.find((candidate) => candidate.plugin === slot.plugin && candidate.id === slot.id)!
      return { ...slot, component: (await componentOf(entry.load)) as any }
    })
  )
  return { ...data, slots }
}
