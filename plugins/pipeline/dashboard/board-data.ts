// The board page's data: the whole board in one `pipeline/board` request (each column's newest leads up to
// its page, the column's count, the funnel reach), in the tenant or, for agency admins, the agency view.
import type { MasterstageClient } from '@masterstage/core/client'
import { LEAD_STATUSES, type Lead, type PipelineBoard, PipelineServicePath } from '../contract.ts'
import type { ColumnCounts } from './board-columns.ts'

export interface BoardContents {
  /** The newest leads of each column, up to its `shown`. */
  leads: Lead[]
  /** Every lead matching the filters, per column (the server's counts). */
  counts: ColumnCounts
  reached: PipelineBoard['reached']
}

export async function fetchBoard(
  client: MasterstageClient,
  filters: Record<string, string>,
  agency: boolean,
  shown: ColumnCounts
): Promise<BoardContents> {
  const headers = agency ? { 'x-tenant-scope': 'agency' } : undefined
  const query: Record<string, string | number> = { ...filters }
  for (const status of LEAD_STATUSES) query[`show.${status}`] = shown[status]
  const board = (await (client as any)
    .service(PipelineServicePath.board)
    .find({ query, headers })) as PipelineBoard
  const counts = {} as ColumnCounts
  for (const column of board.columns) counts[column.status] = column.total
  return { leads: board.columns.flatMap((column) => column.data), counts, reached: board.reached }
}
