// The `pipeline/board` service: the whole board in one call (each column's newest leads up to its own page
// size, the count of all its leads, the funnel reach), so the dashboard loads it with one request that
// costs 8 lead reads (7 pages, one aggregation of the totals) and the funnel's.
import { type MasterstageParams, queryNotAllowed } from '@masterstage/core'
import {
  COLUMN_PAGE,
  LEAD_STATUSES,
  LEADS_PAGE_MAX,
  type LeadStatus,
  type PipelineBoard
} from '../contract.ts'
import { parseLeadFilters } from '../domain/lead-filters.ts'
import { type LeadsService, paging } from './leads-service.ts'
import type { MetricsService } from './metrics-service.ts'

const LIMIT_KEYS = LEAD_STATUSES.map((status) => `show.${status}`)

export class BoardService {
  private readonly leads: LeadsService
  private readonly metrics: MetricsService

  constructor(leads: LeadsService, metrics: MetricsService) {
    this.leads = leads
    this.metrics = metrics
  }

  /** `show.<STATUS>`: how many of a column's newest leads to return (default 50, at most 500). */
  async find(params: MasterstageParams = {}): Promise<PipelineBoard> {
    const query = (params.query ?? {}) as Record<string, unknown>
    const filters = Object.fromEntries(Object.entries(query).filter(([key]) => !LIMIT_KEYS.includes(key)))
    // Refused here before any read, with the same messages as the leads service (a status is the column's).
    const parsed = parseLeadFilters(filters)
    if (parsed.status) {
      throw queryNotAllowed('Invalid board query', [
        { path: 'status', message: 'the board has every status' }
      ])
    }
    const limits = LEAD_STATUSES.map((status) => columnLimit(query[`show.${status}`], status))
    // In the caller's scope (tenant or agency-wide view): every column's total from one aggregation, and
    // each column's page on the tenant/status/updatedAt index as the leads service pages it, uncounted.
    const [reached, totals, ...pages] = await Promise.all([
      this.metrics.reached({ query: filters }),
      this.leads.countByStatus(parsed),
      ...LEAD_STATUSES.map((status, index) => this.leads.newest({ ...parsed, status }, limits[index]))
    ])
    return {
      columns: LEAD_STATUSES.map((status, index) => ({
        status,
        total: totals[status],
        data: pages[index]
      })),
      reached
    }
  }
}

function columnLimit(value: unknown, status: LeadStatus): number {
  return paging(value, COLUMN_PAGE, LEADS_PAGE_MAX, `show.${status}`, 1)
}
