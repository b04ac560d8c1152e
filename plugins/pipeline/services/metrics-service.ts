// The `pipeline/metrics` service: one `find` answering funnel reach, conversion between consecutive
// stages, revenue, time in stage and status counts for a period, optionally per source/masterclass/rep,
// and on request leads and revenue per calendar day of a time zone.
// Whole UTC days come from the rollups (a few hundred documents for a quarter), the partial days at the
// edges and filter combinations the rollups do not slice by from the source documents' indexes.
import { currentScope, type MasterstageParams, queryNotAllowed } from '@masterstage/core'
import type {
  DailySeries,
  FunnelFigures,
  LeadStatus,
  MetricsDimension,
  PipelineMetrics,
  StageTime
} from '../contract.ts'
import { DEFAULT_METRICS_PERIOD_DAYS, LEAD_STATUSES } from '../contract.ts'
import { calendarDays, canonicalTimeZone, MAX_SERIES_DAYS } from '../domain/calendar-days.ts'
import { type LeadFilters, parseLeadFilters } from '../domain/lead-filters.ts'
import { nextDayStart, startOfDay } from '../domain/rollup-slots.ts'
import { type Histogram, histogramMedian } from '../domain/time-histogram.ts'
import { FUNNEL } from '../domain/transition-table.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'
import {
  dailyLeadsPipeline,
  dailyRevenuePipeline,
  leadCountsPipeline,
  type MetricsPeriod,
  revenuePipeline,
  stageHistogramPipeline,
  timeInStagePipeline
} from './metrics-pipelines.ts'
import {
  type RollupSlice,
  rollupHistogramPipeline,
  rollupLeadCountsPipeline,
  rollupRevenuePipeline,
  rollupStagePipeline
} from './metrics-rollup-pipelines.ts'

const DIMENSIONS: readonly MetricsDimension[] = ['source', 'masterclass', 'rep']
const DAY_MS = 24 * 3600 * 1000
const SERIES = ['day'] as const
/** Up to this many stage exits in the period, medians are exact ($median over the entries). */
export const EXACT_MEDIAN_MAX = 5000

/** Where each part of the period is read from. */
interface Plan {
  /** Whole days read from the rollups, with the slices to read; absent: everything from the sources. */
  rollups?: { days: MetricsPeriod; totals: RollupSlice; groups?: RollupSlice }
  /** Ranges read from the source documents. */
  raw: MetricsPeriod[]
}

type Row = Record<string, any>

export interface MetricsDeps {
  /** The tenant's own IANA zone (its brand copy's `timezone`), if it set one: the per-day series' default. */
  tenantTimeZone?(tenantId: string): Promise<string | undefined>
}

export class MetricsService {
  private readonly models: PipelineModels
  private readonly deps: MetricsDeps

  constructor(models: PipelineModels, deps: MetricsDeps = {}) {
    this.models = models
    this.deps = deps
  }

  async find(params: MasterstageParams = {}): Promise<PipelineMetrics> {
    const query = (params.query ?? {}) as Record<string, unknown>
    const dimension = parseDimension(query.dimension)
    const series = parseSeries(query.series)
    const askedTimeZone = parseTimeZone(query.timeZone)
    const filters = parseLeadFilters(query, ['dimension', 'series', 'timeZone'])
    const period = periodOf(filters)
    if (series && period.to.getTime() - period.from.getTime() > MAX_SERIES_DAYS * DAY_MS) {
      throw queryNotAllowed('Invalid metrics query', [
        { path: 'series', message: `covers periods of up to ${MAX_SERIES_DAYS} days` }
      ])
    }
    const plan = planPeriod(period, filters, dimension)
    const [totalsRows, groupRows, revenueRows, groupRevenueRows, stages, daily] = await Promise.all([
      this.leadCounts(plan, filters, 'totals'),
      dimension ? this.leadCounts(plan, filters, 'groups', dimension) : Promise.resolve([]),
      this.revenue(plan, filters, 'totals'),
      dimension ? this.revenue(plan, filters, 'groups', dimension) : Promise.resolve([]),
      this.timeInStage(plan, period, filters),
      series
        ? this.timeZoneFor(askedTimeZone, params).then((timeZone) => this.daily(period, filters, timeZone))
        : undefined
    ])
    const revenueOf = (rows: Row[], key: string | null) =>
      Object.fromEntries(
        rows.filter((row) => (row._id.key ?? null) === key).map((row) => [row._id.currency, row.amountMinor])
      )
    const result: PipelineMetrics = {
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      totals: figures(totalsRows[0], null, revenueOf(revenueRows, null)),
      timeInStage: stages.times,
      medianMethod: stages.method,
      byStatus: statusCounts(totalsRows[0]),
      ...(daily && { daily })
    }
    if (dimension) {
      const keys = new Set<string | null>([
        ...groupRows.map((row) => row._id ?? null),
        ...groupRevenueRows.map((row) => row._id.key ?? null)
      ])
      result.dimension = dimension
      result.groups = [...keys]
        .sort((a, b) => String(a).localeCompare(String(b)))
        .map((key) =>
          figures(
            groupRows.find((row) => (row._id ?? null) === key),
            key,
            revenueOf(groupRevenueRows, key)
          )
        )
    }
    return result
  }

  /** Funnel reach alone (the board's chart): the lead counts of `find`, without revenue or time in stage. */
  async reached(params: MasterstageParams = {}): Promise<FunnelFigures['reached']> {
    const filters = parseLeadFilters(params.query ?? {})
    const period = periodOf(filters)
    const [row] = await this.leadCounts(planPeriod(period, filters), filters, 'totals')
    return figures(row, null, {}).reached
  }

  /**
   * Leads and net revenue per calendar day of `timeZone`, grouped in the database on the indexed period
   * fields (rows per day and currency reach JS, never leads or entries), then zero-filled. Read from the
   * source documents: the rollups count UTC days, which other zones' days cut across.
   */
  private async daily(period: MetricsPeriod, filters: LeadFilters, timeZone: string): Promise<DailySeries> {
    const { Lead, Revenue } = this.models
    const [leadRows, revenueRows] = await Promise.all([
      Lead.aggregate(dailyLeadsPipeline(period, filters, timeZone)),
      Revenue.aggregate(dailyRevenuePipeline(period, filters, timeZone))
    ])
    const leads = new Map<string, number>(leadRows.map((row: Row) => [row._id, row.leads]))
    const currencies = [...new Set(revenueRows.map((row: Row) => row._id.currency as string))].sort()
    const revenue = new Map<string, number>(
      revenueRows.map((row: Row) => [`${row._id.day}|${row._id.currency}`, row.amountMinor])
    )
    return {
      timeZone,
      days: calendarDays(period.from, period.to, timeZone).map((day) => ({
        day,
        leads: leads.get(day) ?? 0,
        revenueMinor: Object.fromEntries(
          currencies.map((currency) => [currency, revenue.get(`${day}|${currency}`) ?? 0])
        )
      }))
    }
  }

  /** The asked zone, else the tenant's (when the runtime knows it), else UTC. */
  private async timeZoneFor(asked: string | undefined, params: MasterstageParams): Promise<string> {
    if (asked) return asked
    const tenantId = params.tenant?.id ?? currentScope()?.tenantId
    const own = tenantId ? await this.deps.tenantTimeZone?.(tenantId) : undefined
    return (own && canonicalTimeZone(own)) || 'UTC'
  }

  private async leadCounts(
    plan: Plan,
    filters: LeadFilters,
    part: 'totals' | 'groups',
    dimension?: MetricsDimension
  ): Promise<Row[]> {
    const { Lead, Rollup } = this.models
    const slice = plan.rollups?.[part]
    const rows = await Promise.all([
      ...(plan.rollups && slice
        ? [Rollup.aggregate(rollupLeadCountsPipeline(plan.rollups.days, slice, part === 'groups'))]
        : []),
      ...plan.raw.map((range) => Lead.aggregate(leadCountsPipeline(range, filters, dimension)))
    ])
    return addRows(rows.flat(), (row) => String(row._id ?? null))
  }

  private async revenue(
    plan: Plan,
    filters: LeadFilters,
    part: 'totals' | 'groups',
    dimension?: MetricsDimension
  ): Promise<Row[]> {
    const { Revenue, Rollup } = this.models
    const slice = plan.rollups?.[part]
    const rows = await Promise.all([
      ...(plan.rollups && slice
        ? [Rollup.aggregate(rollupRevenuePipeline(plan.rollups.days, slice, part === 'groups'))]
        : []),
      ...plan.raw.map((range) => Revenue.aggregate(revenuePipeline(range, filters, dimension)))
    ])
    return addRows(rows.flat(), (row) => `${row._id.key ?? null}|${row._id.currency}`)
  }

  /** Counts and totals from rollups and edges; medians exact for small periods, else from histograms. */
  private async timeInStage(
    plan: Plan,
    period: MetricsPeriod,
    filters: LeadFilters
  ): Promise<{ times: StageTime[]; method: 'exact' | 'histogram' }> {
    const { History, Rollup } = this.models
    const rollups = plan.rollups
    const [rollupRows, edgeRows] = await Promise.all([
      rollups ? Rollup.aggregate(rollupStagePipeline(rollups.days, rollups.totals)) : Promise.resolve([]),
      Promise.all(plan.raw.map((range) => History.aggregate(stageHistogramPipeline(range, filters))))
    ])
    const exits = rollupRows.reduce((sum: number, row: Row) => sum + row.count, 0)
    const edgeExits = edgeRows.flat().reduce((sum: number, row: Row) => sum + row.count, 0)
    if (exits + edgeExits <= EXACT_MEDIAN_MAX) {
      const exact = await History.aggregate(timeInStagePipeline(period, filters))
      return { times: stageTimes(exact), method: 'exact' }
    }
    const histogramRows = rollups
      ? await Rollup.aggregate(rollupHistogramPipeline(rollups.days, rollups.totals))
      : []
    const byStage = new Map<string, { count: number; sumMs: number; histogram: Histogram }>()
    const stage = (name: string) => {
      const found = byStage.get(name) ?? { count: 0, sumMs: 0, histogram: {} }
      byStage.set(name, found)
      return found
    }
    for (const row of rollupRows) Object.assign(stage(row._id), { count: row.count, sumMs: row.sumMs })
    for (const row of histogramRows) {
      const { histogram } = stage(row._id.stage)
      histogram[row._id.bucket] = (histogram[row._id.bucket] ?? 0) + row.count
    }
    for (const row of edgeRows.flat()) {
      const entry = stage(row._id.stage)
      entry.count += row.count
      entry.sumMs += row.sumMs
      entry.histogram[row._id.bucket] = (entry.histogram[row._id.bucket] ?? 0) + row.count
    }
    const times = [...byStage].map(([name, entry]) => ({
      _id: name,
      count: entry.count,
      sumMs: entry.sumMs,
      medianMs: histogramMedian(entry.histogram) ?? 0
    }))
    return { times: stageTimes(times), method: 'histogram' }
  }
}

/**
 * The rollups slice by one dimension at a time: the whole tenant, or one source, masterclass or rep.
 * A query filtering on two dimensions, or grouping by another dimension than it filters on, reads the
 * source documents over the period instead (still indexed, and narrowed by the filters).
 */
function rollupSlices(filters: LeadFilters, dimension?: MetricsDimension) {
  const filtered = (
    [
      ['source', filters.source],
      ['masterclass', filters.masterclassId],
      ['rep', filters.ownerId]
    ] as const
  ).filter(([, value]) => value !== undefined)
  if (filtered.length > 1) return undefined
  if (filtered.length === 1) {
    const [dim, key] = filtered[0]
    if (dimension && dimension !== dim) return undefined
    return { totals: { dim, key }, ...(dimension && { groups: { dim, key } }) }
  }
  return { totals: { dim: 'all', key: null }, ...(dimension && { groups: { dim: dimension } }) } as const
}

/** The filters' period; without a start, the default number of days before its end (now when none). */
function periodOf(filters: LeadFilters): MetricsPeriod {
  const to = filters.to ?? new Date()
  return { from: filters.from ?? new Date(to.getTime() - DEFAULT_METRICS_PERIOD_DAYS * DAY_MS), to }
}

function planPeriod(period: MetricsPeriod, filters: LeadFilters, dimension?: MetricsDimension): Plan {
  const slices = rollupSlices(filters, dimension)
  const firstDay = nextDayStart(period.from)
  const lastDay = startOfDay(period.to)
  if (!slices || firstDay >= lastDay) return { raw: [period] }
  const raw: MetricsPeriod[] = []
  if (period.from < firstDay) raw.push({ from: period.from, to: firstDay })
  if (lastDay < period.to) raw.push({ from: lastDay, to: period.to })
  return { rollups: { days: { from: firstDay, to: lastDay }, ...slices }, raw }
}

/** Adds up rows with the same key (numeric fields summed, `_id` kept). */
function addRows(rows: Row[], keyOf: (row: Row) => string): Row[] {
  const sums = new Map<string, Row>()
  for (const row of rows) {
    const key = keyOf(row)
    const sum = sums.get(key)
    if (!sum) {
      sums.set(key, { ...row })
      continue
    }
    for (const [field, value] of Object.entries(row)) {
      if (field !== '_id' && typeof value === 'number') sum[field] = (sum[field] ?? 0) + value
    }
  }
  return [...sums.values()]
}

function parseDimension(value: unknown): MetricsDimension | undefined {
  if (value === undefined || value === '') return undefined
  if (typeof value === 'string' && (DIMENSIONS as readonly string[]).includes(value)) {
    return value as MetricsDimension
  }
  throw queryNotAllowed('Invalid metrics query', [
    { path: 'dimension', message: `must be one of ${DIMENSIONS.join(', ')}` }
  ])
}

function parseSeries(value: unknown): (typeof SERIES)[number] | undefined {
  if (value === undefined || value === '') return undefined
  if (value === 'day') return value
  throw queryNotAllowed('Invalid metrics query', [
    { path: 'series', message: `must be one of ${SERIES.join(', ')}` }
  ])
}

function parseTimeZone(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined
  const zone = typeof value === 'string' && value.length <= 64 ? canonicalTimeZone(value) : undefined
  if (zone) return zone
  throw queryNotAllowed('Invalid metrics query', [
    { path: 'timeZone', message: 'must be an IANA time zone name (e.g. Europe/Lisbon)' }
  ])
}

/** Reach per stage from the rank counts: a lead reached every stage up to its highest rank. */
function figures(
  row: Row | undefined,
  key: string | null,
  revenueMinor: Record<string, number>
): FunnelFigures {
  const reached = {} as FunnelFigures['reached']
  let atOrBeyond = 0
  for (let rank = FUNNEL.length - 1; rank >= 0; rank--) {
    atOrBeyond += row?.[`r${rank}`] ?? 0
    reached[FUNNEL[rank] as keyof FunnelFigures['reached']] = atOrBeyond
  }
  const conversion: Record<string, number | null> = {}
  for (let i = 1; i < FUNNEL.length; i++) {
    const from = reached[FUNNEL[i - 1] as keyof FunnelFigures['reached']]
    conversion[`${FUNNEL[i - 1]}->${FUNNEL[i]}`] =
      from === 0 ? null : reached[FUNNEL[i] as keyof FunnelFigures['reached']] / from
  }
  const orderedReached = Object.fromEntries(
    FUNNEL.map((status) => [status, reached[status as keyof FunnelFigures['reached']]])
  ) as FunnelFigures['reached']
  return { key, reached: orderedReached, lost: row?.LOST ?? 0, conversion, revenueMinor }
}

function stageTimes(rows: Row[]): StageTime[] {
  return LEAD_STATUSES.flatMap((status) => {
    const row = rows.find((r) => r._id === status)
    return row && row.count > 0
      ? [
          {
            status,
            count: row.count,
            avgMs: Math.round(row.sumMs / row.count),
            medianMs: Math.round(row.medianMs)
          }
        ]
      : []
  })
}

function statusCounts(row: Row | undefined): Record<LeadStatus, number> {
  return Object.fromEntries(LEAD_STATUSES.map((status) => [status, row?.[status] ?? 0])) as Record<
    LeadStatus,
    number
  >
}
