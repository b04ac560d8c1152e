// One announce run announces at most MAX_REPEATS_PER_RUN lost repeats and records how far it got, so a
// flood of repeats is caught up on in bounded steps (the sweep runs the next step).
import { describe, expect, it } from 'vitest'
import { announceLead, MAX_REPEATS_PER_RUN } from '../../jobs/announce-lead.ts'

function recorder() {
  const emitted: { id: string }[] = []
  const counts: number[] = []
  const models = {
    Lead: {
      updateOne: async (_filter: unknown, update: { $max: { announcedRegistrations: number } }) => {
        counts.push(update.$max.announcedRegistrations)
      }
    }
  }
  const events = { emitMany: async (list: { id: string }[]) => void emitted.push(...list) }
  return { emitted, counts, models: models as any, events: events as any }
}

describe('announceLead', () => {
  it('announces a backlog of repeats in bounded steps, each repeat once', async () => {
    const { emitted, counts, models, events } = recorder()
    const lead = {
      _id: 'lead-1',
      email: 'bot@example.com',
      announcedAt: new Date(),
      announcedRegistrations: 1
    }
    const registrations = MAX_REPEATS_PER_RUN + 50
    await announceLead(models, events, lead, registrations)
    expect(emitted).toHaveLength(MAX_REPEATS_PER_RUN)
    expect(counts).toEqual([MAX_REPEATS_PER_RUN + 1])
    await announceLead(models, events, { ...lead, announcedRegistrations: counts[0] }, registrations)
    expect(counts).toEqual([MAX_REPEATS_PER_RUN + 1, registrations])
    const ids = emitted.map((event) => event.id)
    expect(new Set(ids).size).toBe(registrations - 1)
    expect(ids[0]).toBe('lead.updated:lead-1:registration-2')
    expect(ids.at(-1)).toBe(`lead.updated:lead-1:registration-${registrations}`)
    // Caught up: nothing more to announce.
    await announceLead(models, events, { ...lead, announcedRegistrations: registrations }, registrations)
    expect(emitted).toHaveLength(registrations - 1)
  })
})
