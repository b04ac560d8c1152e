// Public surface of the pipeline plugin: lead statuses, the events it emits (merged into core's
// DomainEvents), the payload shapes it expects of the events it consumes, and its service paths.
// Other plugins may `import type` from here, nothing else.
import type {} from '@masterstage/core'

export const PIPELINE_PLUGIN = 'pipeline'

/** Service paths (mounted under the plugin name). */
export const PipelineServicePath = {
  /** Public, per tenant: the storefront registration form posts here. */
  registrations: 'pipeline/registrations',
  /** Staff: lead lists, lead details, notes, owner, tags, manual moves (`move` method); live lead events. */
  leads: 'pipeline/leads',
  /** Staff: the whole board in one read (each column's first page and count, the funnel reach). */
  board: 'pipeline/board',
  /** Staff and other plugins (analytics): funnel, conversion, revenue, time in stage. */
  metrics: 'pipeline/metrics',
  /** Staff: streamed CSV of the leads matching the board's filters. */
  export: 'pipeline/export'
} as const

/** Every stage of a lead's journey, in funnel order; LOST is off the funnel. */
/** The leads service's largest page (`$limit`); a board column shows at most this many cards. */
export const LEADS_PAGE_MAX = 500
/** Board cards per column at first and per "load more". */
export const COLUMN_PAGE = 50

export const LEAD_STATUSES = ['NEW', 'INVOICED', 'PAID', 'ATTENDED', 'SCHEDULED', 'WON', 'LOST'] as const
export type LeadStatus = (typeof LEAD_STATUSES)[number]

/** Where a lead came from (UTM parameters and referrer of its first registration). */
export interface LeadSource {
  utmSource?: string
  utmMedium?: string
  utmCampaign?: string
  referrer?: string
}

/** A lead as the pipeline's services return it. */
export interface Lead {
  _id: string
  tenantId: string
  email: string
  name: string
  phone?: string
  company?: string
  masterclassId?: string
  masterclassIds: string[]
  source: LeadSource
  status: LeadStatus
  /** Highest funnel stage ever reached (index in LEAD_STATUSES, WON = 5); kept when the lead is LOST. */
  funnelRank: number
  stageEnteredAt: string
  userId?: string
  assignedToId?: string
  tags: string[]
  score?: number
  notes: { _id: string; text: string; authorId?: string; at: string }[]
  paidMinor: number
  registrations: number
  consentAt?: string
  createdAt: string
  updatedAt: string
}

// --- events this plugin emits --------------------------------------------------------------------

/** A person registered for a masterclass of the tenant for the first time. */
export interface LeadCreated {
  leadId: string
  email: string
  name: string
  masterclassId?: string
  source: LeadSource
}

/** A known lead registered again or was edited (not a status change). */
export interface LeadUpdated {
  leadId: string
  email: string
  masterclassId?: string
  changed: string[]
}

/** A lead moved between stages (from an event or a rep's move). */
export interface LeadStatusChanged {
  leadId: string
  from: LeadStatus
  to: LeadStatus
  /** `event:<name>` or `manual`. */
  trigger: string
  actorUserId?: string
}

// Augments the defining module: core's index re-exports DomainEvents with `export type *`, through
// which TypeScript does not merge augmentations.
declare module '@masterstage/core/events/domain-events.ts' {
  interface DomainEvents {
    'lead.created': LeadCreated
    'lead.updated': LeadUpdated
    'lead.status.changed': LeadStatusChanged
  }
}

// --- events this plugin consumes: the shapes it reads (the producing plugins declare and conform) ---
// Every consumed event identifies the lead by `leadId` when the producer knows it, else by email.

export interface LeadReference {
  leadId?: string
  /** Fallback when the producer never saw the lead id (e.g. a booking made with the attendee's email). */
  customerEmail?: string
  email?: string
}

/** `invoice.issued` (payments). */
export interface InvoiceIssuedExpected extends LeadReference {
  invoiceId: string
}

/** `payment.succeeded` (payments): counted as revenue. */
export interface PaymentSucceededExpected extends LeadReference {
  paymentId: string
  amountMinor: number
  currency: string
}

/** `payment.refunded` (payments): `refundedMinor` is cumulative for the payment. */
export interface PaymentRefundedExpected extends LeadReference {
  paymentId: string
  refundedMinor: number
  currency: string
  fullyRefunded: boolean
}

/** `attendance.joined` (streaming). */
export interface AttendanceJoinedExpected extends LeadReference {
  masterclassId?: string
}

/** `appointment.booked` (scheduling): the rep the call is booked with becomes the owner if none. */
export interface AppointmentBookedExpected extends LeadReference {
  appointmentId: string
  salesRepId?: string
}

/** `insight.generated` (analytics): a lead score between 0 and 100. */
export interface InsightGeneratedExpected extends LeadReference {
  score?: number
}

/** Events that move leads, by name. */
export const CONSUMED_EVENTS = [
  'invoice.issued',
  'payment.succeeded',
  'payment.refunded',
  'attendance.joined',
  'appointment.booked',
  'insight.generated'
] as const
export type ConsumedEvent = (typeof CONSUMED_EVENTS)[number]

// --- metrics ------------------------------------------------------------------------------------

export type MetricsDimension = 'source' | 'masterclass' | 'rep'

/** The metrics period when a query has no `from`: this many days before its `to` (now when none). */
export const DEFAULT_METRICS_PERIOD_DAYS = 30

/** One group of the metrics answer (the whole tenant, or one source/masterclass/rep). */
export interface FunnelFigures {
  key: string | null
  /** Leads (created in the period) that reached each funnel stage. */
  reached: Record<Exclude<LeadStatus, 'LOST'>, number>
  lost: number
  /** Conversion between consecutive stages, e.g. `NEW->INVOICED`: reached(to)/reached(from), 0..1. */
  conversion: Record<string, number | null>
  /** Net revenue (payments minus refunds) booked in the period, per currency, minor units. */
  revenueMinor: Record<string, number>
}

export interface StageTime {
  status: LeadStatus
  count: number
  avgMs: number
  medianMs: number
}

export interface PipelineMetrics {
  period: { from: string; to: string }
  totals: FunnelFigures
  groups?: FunnelFigures[]
  dimension?: MetricsDimension
  timeInStage: StageTime[]
  /**
   * How `medianMs` was computed: `exact` ($median over the entries, up to 5,000 stage exits in the
   * period) or `histogram` (from the rollups' log-scale histograms: within 4.4 %, or 0.5 s under 1 s).
   */
  medianMethod: 'exact' | 'histogram'
  /** Leads per current status (the board's column counts). */
  byStatus: Record<LeadStatus, number>
  /** Per calendar day of the period, when asked for (`series=day`). */
  daily?: DailySeries
}

/** One calendar day of the per-day series. */
export interface DailyFigures {
  /** `YYYY-MM-DD` in the series' time zone. */
  day: string
  /** Leads created that day. */
  leads: number
  /** Net revenue (payments minus refunds) booked that day per currency, minor units; every currency of the
   * series on every day (0 when none). */
  revenueMinor: Record<string, number>
}

export interface DailySeries {
  /** IANA zone the days are counted in: `timeZone` of the query, else the tenant's, else UTC. */
  timeZone: string
  /** Every day the period touches in that zone, in order, days without figures included (the first and
   * last may be partial days). */
  days: DailyFigures[]
}

// --- board ----------------------------------------------------------------------------------------

/** `pipeline/board`: the board in one read; `show.<STATUS>` in the query sets a column's page (50, ≤ 500). */
export interface PipelineBoard {
  /** One per status in funnel order: its newest leads, and `total` counting all that match the filters. */
  columns: { status: LeadStatus; total: number; data: Lead[] }[]
  /** Leads created in the filters' period reaching each funnel stage (as `pipeline/metrics` reports it). */
  reached: FunnelFigures['reached']
}
