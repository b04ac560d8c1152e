// The `pipeline/export` service: the leads matching the board's filters as CSV, streamed from a MongoDB
// cursor (constant memory whatever the tenant's size). The cursor is opened inside the request scope, so
// core's data layer scopes it to the tenant like every other read.
import { Readable } from 'node:stream'
import type { HookContext, MasterstageParams } from '@masterstage/core'
import { csvRow } from '../domain/csv.ts'
import { leadMatch, parseLeadFilters } from '../domain/lead-filters.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'
import { trustedFilter } from './leads-service.ts'

export const CSV_COLUMNS = [
  ['id', (lead: any) => String(lead._id)],
  ['created_at', (lead: any) => lead.createdAt],
  ['status', (lead: any) => lead.status],
  ['name', (lead: any) => lead.name],
  ['email', (lead: any) => lead.email],
  ['phone', (lead: any) => lead.phone],
  ['company', (lead: any) => lead.company],
  ['masterclass_id', (lead: any) => lead.masterclassId],
  ['utm_source', (lead: any) => lead.source?.utmSource],
  ['utm_medium', (lead: any) => lead.source?.utmMedium],
  ['utm_campaign', (lead: any) => lead.source?.utmCampaign],
  ['referrer', (lead: any) => lead.source?.referrer],
  ['owner_id', (lead: any) => lead.assignedToId],
  ['tags', (lead: any) => lead.tags],
  ['score', (lead: any) => lead.score],
  ['paid_minor', (lead: any) => lead.paidMinor],
  ['currency', (lead: any) => lead.currency],
  ['stage_entered_at', (lead: any) => lead.stageEnteredAt]
] as const

export class ExportService {
  private readonly models: PipelineModels

  constructor(models: PipelineModels) {
    this.models = models
  }

  async find(params: MasterstageParams = {}): Promise<Readable> {
    const filters = parseLeadFilters(params.query ?? {})
    const cursor = this.models.Lead.find(trustedFilter(leadMatch(filters)))
      .sort({ createdAt: 1, _id: 1 })
      .lean()
      .cursor({ batchSize: 500 })
    async function* rows() {
      yield csvRow(CSV_COLUMNS.map(([header]) => header))
      try {
        for await (const lead of cursor) yield csvRow(CSV_COLUMNS.map(([, read]) => read(lead)))
      } finally {
        await cursor.close()
      }
    }
    return Readable.from(rows(), { objectMode: false })
  }
}

/** After hook: the stream goes out as a CSV download instead of JSON. */
export function csvDownloadHeaders(context: HookContext): void {
  const day = new Date().toISOString().slice(0, 10)
  context.http = {
    ...context.http,
    headers: {
      ...context.http?.headers,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="leads-${day}.csv"`,
      'cache-control': 'no-store'
    }
  }
}
