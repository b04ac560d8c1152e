// The API shape of a lead: ids as strings, internals (idempotency bookkeeping) left out.
import type { Lead } from '../contract.ts'

const INTERNAL_FIELDS = ['lastTransition', 'announcedAt', 'announcedRegistrations', '__v'] as const

export function toLeadView(document: any): Lead {
  const view: Record<string, any> = { ...document, _id: String(document._id) }
  for (const field of INTERNAL_FIELDS) delete view[field]
  view.notes = (document.notes ?? []).map((note: any) => ({ ...note, _id: String(note._id) }))
  return view as Lead
}
