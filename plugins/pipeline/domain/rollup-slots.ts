// What each lead, history entry and revenue entry contributes to the metrics rollups, as pure data:
// the slots (kind × day × dimension slice) and the counter increments. Writers apply contributions
// and their differences; the rebuild sums them; tests compare both.
import type { LeadStatus } from '../contract.ts'
import type { RollupDim, RollupKind } from '../models/metrics-rollup-model.ts'
import { bucketOf } from './time-histogram.ts'

const DAY_MS = 24 * 3600_000

export function startOfDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS)
}

export function nextDayStart(date: Date): Date {
  const start = startOfDay(date)
  return start.getTime() === date.getTime() ? start : new Date(start.getTime() + DAY_MS)
}

/** The dimension values a rollup slices by (null when unset). */
export interface Dims {
  source: string | null
  masterclass: string | null
  rep: string | null
}

export interface Slot {
  kind: RollupKind
  dim: RollupDim
  key: string | null
  day: Date
  sub: string
}

/** A slot and the counters to add to it (negative to take back). */
export interface Increment {
  slot: Slot
  inc: Record<string, number>
}

function slicesOf(dims: Dims): { dim: RollupDim; key: string | null }[] {
  return [
    { dim: 'all', key: null },
    { dim: 'source', key: dims.source },
    { dim: 'masterclass', key: dims.masterclass },
    { dim: 'rep', key: dims.rep }
  ]
}

export function leadDims(lead: {
  source?: { utmSource?: string }
  masterclassId?: string
  assignedToId?: string | null
}): Dims {
  return {
    source: lead.source?.utmSource ?? null,
    masterclass: lead.masterclassId ?? null,
    rep: lead.assignedToId ?? null
  }
}

export function entryDims(entry: {
  utmSource?: string
  masterclassId?: string
  assignedToId?: string
}): Dims {
  return {
    source: entry.utmSource ?? null,
    masterclass: entry.masterclassId ?? null,
    rep: entry.assignedToId ?? null
  }
}

/**
 * What a lead currently counts for. Creation day, source and masterclass never change (set on insert);
 * status, funnel rank and owner do. Stored on the lead as `countedAs` once applied to the rollups.
 */
export interface LeadCount {
  status: LeadStatus
  funnelRank: number
  rep: string | null
}

export function leadCountOf(lead: { status: LeadStatus; funnelRank: number; assignedToId?: string | null }) {
  return { status: lead.status, funnelRank: lead.funnelRank, rep: lead.assignedToId ?? null } as LeadCount
}

export function sameLeadCount(a: LeadCount | null | undefined, b: LeadCount | null | undefined): boolean {
  if (!a || !b) return !a && !b
  return a.status === b.status && a.funnelRank === b.funnelRank && (a.rep ?? null) === (b.rep ?? null)
}

function leadIncrements(
  lead: { createdAt: Date | string; source?: { utmSource?: string }; masterclassId?: string },
  count: LeadCount,
  sign: 1 | -1
): Increment[] {
  const day = startOfDay(new Date(lead.createdAt))
  const dims = { ...leadDims(lead), rep: count.rep ?? null }
  return slicesOf(dims).map(({ dim, key }) => ({
    slot: { kind: 'lead', dim, key, day, sub: '' },
    inc: { [`n.${count.status}`]: sign, [`r.${count.funnelRank}`]: sign }
  }))
}

/** Moves a lead's contribution from what it was counted as to what it is now (either may be null). */
export function leadCountChange(
  lead: { createdAt: Date | string; source?: { utmSource?: string }; masterclassId?: string },
  was: LeadCount | null | undefined,
  now: LeadCount | null
): Increment[] {
  if (sameLeadCount(was, now)) return []
  return [...(was ? leadIncrements(lead, was, -1) : []), ...(now ? leadIncrements(lead, now, 1) : [])]
}

/** A stage left (history entry with a `from`): one more entry, its duration and its histogram bucket. */
export function stageIncrements(entry: {
  from: LeadStatus | null
  at: Date | string
  durationMs: number
  utmSource?: string
  masterclassId?: string
  assignedToId?: string
}): Increment[] {
  if (!entry.from) return []
  const day = startOfDay(new Date(entry.at))
  const inc = { count: 1, sumMs: entry.durationMs, [`h.${bucketOf(entry.durationMs)}`]: 1 }
  return slicesOf(entryDims(entry)).map(({ dim, key }) => ({
    slot: { kind: 'stage', dim, key, day, sub: entry.from as string },
    inc
  }))
}

/** Revenue booked (or taken back: refunds are negative; a changed amount books the difference). */
export function revenueIncrements(
  entry: {
    at: Date | string
    currency: string
    utmSource?: string
    masterclassId?: string
    assignedToId?: string
  },
  amountMinor: number
): Increment[] {
  if (amountMinor === 0) return []
  const day = startOfDay(new Date(entry.at))
  return slicesOf(entryDims(entry)).map(({ dim, key }) => ({
    slot: { kind: 'revenue', dim, key, day, sub: entry.currency },
    inc: { amountMinor }
  }))
}

export function slotId(slot: Slot): string {
  return `${slot.kind}|${slot.dim}|${slot.key ?? ''}|${slot.key === null ? 0 : 1}|${slot.day.getTime()}|${slot.sub}`
}

/** Adds increments up per slot (the rebuild, and one bulk write per change). */
export function sumIncrements(increments: Iterable<Increment>, into = new Map<string, Increment>()) {
  for (const { slot, inc } of increments) {
    const id = slotId(slot)
    const current = into.get(id) ?? { slot, inc: {} }
    for (const [field, value] of Object.entries(inc)) current.inc[field] = (current.inc[field] ?? 0) + value
    into.set(id, current)
  }
  return into
}
