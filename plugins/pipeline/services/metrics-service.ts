// The `pipeline/metrics` service: one `find` answering funnel reach, conversion between consecutive
// stages, revenue, time in stage and status counts for a period, optionally per source/masterclass/rep.
import { type MasterstageParams, queryNotAllowed } from '@masterstage/core'
import type { FunnelFigures, LeadStatus, MetricsDimension, PipelineMetrics, StageTime } from '../contract.ts'
import { LEAD_STATUSES } from '../contract.ts'
import { parseLeadFilters } from '../domain/lead-filters.ts'
import { FUNNEL } from '../domain/transition-table.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'
import {
  funnelPipeline,
  type MetricsPeriod,
  revenuePipeline,
  statusPipeline,
  timeInStagePipeline
} from './metrics-pipelines.ts'

const DIMENSIONS: readonly MetricsDimension[] = ['source', 'masterclass', 'rep']
const DEFAULT_PERIOD_MS = 30 * 24 * 3600 * 1000

export class MetricsService {
  private readonly models: PipelineModels

  constructor(models: PipelineModels) {
    this.models = models
  }

  async find(params: MasterstageParams = {}): Promise<PipelineMetrics> {
    const query = (params.query ?? {}) as Record<string, unknown>
    const dimension = parseDimension(query.dimension)
    const filters = parseLeadFilters(query, ['dimension'])
    const to = filters.to ?? new Date()
    const period: MetricsPeriod = { from: filters.from ?? new Date(to.getTime() - DEFAULT_PERIOD_MS), to }
    const { Lead, History, Revenue } = this.models
    const [totalsRows, groupRows, revenueRows, groupRevenueRows, stageRows, statusRows] = await Promise.all([
      Lead.aggregate(funnelPipeline(period, filters)),
      dimension ? Lead.aggregate(funnelPipeline(period, filters, dimension)) : Promise.resolve([]),
      Revenue.aggregate(revenuePipeline(period, filters)),
      dimension ? Revenue.aggregate(revenuePipeline(period, filters, dimension)) : Promise.resolve([]),
      History.aggregate(timeInStagePipeline(period, filters)),
      Lead.aggregate(statusPipeline(period, filters))
    ])
    const revenueOf = (rows: any[], key: string | null) =>
      Object.fromEntries(
        rows.filter((row) => (row._id.key ?? null) === key).map((row) => [row._id.currency, row.amountMinor])
      )
    const totals = figures(totalsRows[0], null, revenueOf(revenueRows, null))
    const result: PipelineMetrics = {
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      totals,
      timeInStage: stageTimes(stageRows),
      byStatus: statusCounts(statusRows)
    }
    if (dimension) {
      const keys = new Set<string | null>([
        ...groupRows.map((row: any) => row._id ?? null),
        ...groupRevenueRows.map((row: any) => row._id.key ?? null)
      ])
      result.dimension = dimension
      result.groups = [...keys]
        .sort((a, b) => String(a).localeCompare(String(b)))
        .map((key) =>
          figures(
            groupRows.find((row: any) => (row._id ?? null) === key),
            key,
            revenueOf(groupRevenueRows, key)
          )
        )
    }
    return result
  }
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

function figures(row: any, key: string | null, revenueMinor: Record<string, number>): FunnelFigures {
  const reached = Object.fromEntries(
    FUNNEL.map((status) => [status, row?.[status] ?? 0])
  ) as FunnelFigures['reached']
  const conversion: Record<string, number | null> = {}
  for (let i = 1; i < FUNNEL.length; i++) {
    const from = reached[FUNNEL[i - 1]]
    conversion[`${FUNNEL[i - 1]}->${FUNNEL[i]}`] = from === 0 ? null : reached[FUNNEL[i]] / from
  }
  return { key, reached, lost: row?.LOST ?? 0, conversion, revenueMinor }
}

function stageTimes(rows: any[]): StageTime[] {
  return LEAD_STATUSES.flatMap((status) => {
    const row = rows.find((r) => r._id === status)
    return row
      ? [{ status, count: row.count, avgMs: Math.round(row.avgMs), medianMs: Math.round(row.medianMs) }]
      : []
  })
}

function statusCounts(rows: any[]): Record<LeadStatus, number> {
  return Object.fromEntries(
    LEAD_STATUSES.map((status) => [status, rows.find((r) => r._id === status)?.count ?? 0])
  ) as Record<LeadStatus, number>
}
