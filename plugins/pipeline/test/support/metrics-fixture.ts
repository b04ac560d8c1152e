// A small, hand-computed metrics fixture: leads, revenue entries and history written straight through
// the plugin's models in one tenant's scope. The expected figures are worked out in the test by hand.
import { rebuildRollups } from '../../services/rollup-rebuild.ts'
import type { PipelineTestApp } from './pipeline-test-app.ts'

const HOUR = 3600_000
export const PERIOD = { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' }
const inPeriod = (day: number) => new Date(Date.UTC(2026, 0, day))
const before = new Date(Date.UTC(2025, 11, 15))

export interface FixtureIds {
  reps: { r1: string; r2: string }
}

export async function writeMetricsFixture(
  t: PipelineTestApp,
  tenantId: string,
  ids: FixtureIds
): Promise<void> {
  const { r1, r2 } = ids.reps
  const lead = (
    n: number,
    source: string,
    masterclassId: string,
    rep: string | undefined,
    status: string,
    funnelRank: number,
    createdAt: Date
  ) => ({
    email: `fixture-${n}@example.com`,
    name: `Fixture ${n}`,
    masterclassId,
    masterclassIds: [masterclassId],
    source: { utmSource: source },
    status,
    funnelRank,
    stageEnteredAt: createdAt,
    ...(rep && { assignedToId: rep }),
    createdAt,
    updatedAt: createdAt
  })
  const leads = [
    lead(1, 'ig', 'A', r1, 'WON', 5, inPeriod(2)),
    lead(2, 'ig', 'A', r1, 'SCHEDULED', 4, inPeriod(3)),
    lead(3, 'ig', 'B', r2, 'PAID', 2, inPeriod(4)),
    lead(4, 'tiktok', 'A', r2, 'LOST', 2, inPeriod(5)),
    lead(5, 'tiktok', 'B', undefined, 'NEW', 0, inPeriod(6)),
    lead(6, 'ig', 'A', r1, 'INVOICED', 1, inPeriod(7)),
    // Created before the period: counted nowhere.
    lead(7, 'ig', 'A', r1, 'WON', 5, before)
  ]
  await t.asTenant(tenantId, async () => {
    const Lead = t.model('lead')
    const inserted = await Lead.insertMany(leads, { timestamps: false } as any)
    const idOf = (n: number) => String(inserted[n - 1]._id)
    const dims = (n: number) => ({
      masterclassId: leads[n - 1].masterclassId,
      utmSource: leads[n - 1].source.utmSource,
      ...(leads[n - 1].assignedToId && { assignedToId: leads[n - 1].assignedToId })
    })
    const revenue = (key: string, n: number, amountMinor: number, currency: string, at: Date) => ({
      key,
      leadId: idOf(n),
      amountMinor,
      currency,
      at,
      ...dims(n)
    })
    await t
      .model('revenue-entry')
      .insertMany([
        revenue('payment:p1', 1, 10_000, 'EUR', inPeriod(10)),
        revenue('payment:p1b', 1, 3_000, 'USD', inPeriod(11)),
        revenue('payment:p2', 2, 10_000, 'EUR', inPeriod(10)),
        revenue('payment:p3', 3, 5_000, 'EUR', inPeriod(12)),
        revenue('payment:p4', 4, 5_000, 'EUR', inPeriod(12)),
        revenue('refund:p4', 4, -5_000, 'EUR', inPeriod(14)),
        revenue('payment:p7', 7, 9_999, 'EUR', before)
      ])
    let cause = 0
    const left = (n: number, from: string, to: string, hours: number, at: Date) => ({
      leadId: idOf(n),
      from,
      to,
      at,
      durationMs: hours * HOUR,
      trigger: 'event:test',
      actor: { kind: 'system', name: 'fixture' },
      causeId: `fixture-${cause++}`,
      ...dims(n)
    })
    await t.model('lead-history').insertMany([
      // Creation entries have no `from`: not a stage left.
      { ...left(1, 'NEW', 'NEW', 0, inPeriod(2)), from: null },
      left(1, 'NEW', 'INVOICED', 1, inPeriod(15)),
      left(2, 'NEW', 'INVOICED', 2, inPeriod(15)),
      left(3, 'NEW', 'INVOICED', 3, inPeriod(15)),
      left(4, 'NEW', 'INVOICED', 4, inPeriod(15)),
      left(6, 'NEW', 'INVOICED', 20, inPeriod(15)),
      left(1, 'INVOICED', 'PAID', 0.5, inPeriod(16)),
      left(2, 'INVOICED', 'PAID', 1.5, inPeriod(16)),
      left(3, 'INVOICED', 'PAID', 1, inPeriod(16)),
      left(4, 'PAID', 'LOST', 5, inPeriod(17)),
      // Left before the period: not counted.
      left(7, 'NEW', 'INVOICED', 100, before)
    ])
    // Written around the services: the rollups learn about it the way an import would, by a rebuild.
    await rebuildRollups(t.models())
  })
}

/** Another tenant's data that must never show up in the first tenant's figures. */
export async function writeNoise(t: PipelineTestApp, tenantId: string): Promise<void> {
  await t.asTenant(tenantId, async () => {
    const at = inPeriod(8)
    const inserted = await t.model('lead').insertMany(
      [1, 2, 3].map((n) => ({
        email: `noise-${n}@example.com`,
        name: 'Noise',
        masterclassId: 'A',
        source: { utmSource: 'ig' },
        status: 'WON',
        funnelRank: 5,
        stageEnteredAt: at,
        createdAt: at,
        updatedAt: at
      })),
      { timestamps: false } as any
    )
    await t.model('revenue-entry').create({
      key: 'payment:noise',
      leadId: String(inserted[0]._id),
      amountMinor: 777_777,
      currency: 'EUR',
      at,
      utmSource: 'ig'
    })
    await t.model('lead-history').create({
      leadId: String(inserted[0]._id),
      from: 'NEW',
      to: 'WON',
      at,
      durationMs: 999 * HOUR,
      trigger: 'manual',
      actor: { kind: 'system', name: 'noise' },
      causeId: 'noise'
    })
    await rebuildRollups(t.models())
  })
}
