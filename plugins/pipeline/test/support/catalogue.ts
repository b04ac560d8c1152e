// Test support: real entries in a tenant's masterclass catalogue (through the masterclasses plugin's
// service, as the platform), since registration refuses masterclasses the catalogue does not hold.
import { randomBytes } from 'node:crypto'
import type { Application } from '@masterstage/core'
import { runAsSystem } from '@masterstage/core'

export interface CatalogueEntry {
  /** From now; a masterclass that has started (0 or less) no longer takes registrations. Default: a day. */
  startsInMs?: number
}

const DAY_MS = 86_400_000

export async function seedCatalogue<K extends string>(
  app: Application,
  tenantId: string,
  keys: readonly K[],
  { startsInMs = DAY_MS }: CatalogueEntry = {}
): Promise<Record<K, string>> {
  const ids = {} as Record<K, string>
  for (const key of keys) {
    const startTime = Date.now() + startsInMs
    const created = await runAsSystem('test', tenantId, () =>
      (app as any).service('masterclasses/masterclasses').create({
        title: `Masterclass ${key}`,
        description: 'Live training',
        hostId: randomBytes(12).toString('hex'),
        startTime: new Date(startTime).toISOString(),
        endTime: new Date(startTime + 3_600_000).toISOString(),
        price: { amount: 4_900, currency: 'USD' },
        maxAttendees: 100
      })
    )
    ids[key] = String(created._id)
  }
  return ids
}
