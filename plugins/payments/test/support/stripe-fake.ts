// A local HTTP fake of the parts of the Stripe API the plugin uses. It checks what a real Stripe would
// refuse (missing bearer key, missing Stripe-Account, non-integer amounts), refuses any POST without an
// Idempotency-Key (our rule: every write carries one), and records every request so tests can assert
// headers, idempotency keys, amounts and fees. Like Stripe, a new Checkout session has no payment
// intent (`payment_intent: null`); it gets one when the customer confirms (paid, pending or declined).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeStripeForm } from './form-body.ts'

export interface RecordedRequest {
  method: string
  path: string
  authorization: string | undefined
  stripeAccount: string | undefined
  idempotencyKey: string | undefined
  form: Record<string, any>
}

interface StoredIdempotent {
  bodyText: string
  status: number
  response: unknown
}

export class StripeFake {
  readonly requests: RecordedRequest[] = []
  readonly accounts = new Map<string, Record<string, any>>()
  readonly sessions = new Map<string, Record<string, any>>()
  readonly refunds = new Map<string, Record<string, any>>()
  /** Events per connected account, newest last. */
  readonly events: Record<string, any>[] = []
  readonly #idempotent = new Map<string, StoredIdempotent>()
  /** The intent each session gets once the customer confirms (tests build events with it beforehand). */
  readonly #futureIntents = new Map<string, string>()
  #server: Server | undefined
  #counter = 0
  port = 0

  readonly secretKey: string

  constructor(secretKey: string) {
    this.secretKey = secretKey
  }

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error) =>
        this.#send(response, 500, apiError('api_error', String(error)))
      )
    })
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    this.port = (this.#server!.address() as AddressInfo).port
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve())
  }

  /** Objects the fake created for one kind (sessions, refunds, accounts): proves "one Stripe object". */
  writesTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === 'POST' && request.path === path)
  }

  /**
   * The payment intent the session has, or will get when the customer confirms: what Stripe's events
   * after the confirmation carry (the API shows null before).
   */
  intentOf(sessionId: string): string {
    const session = this.sessions.get(sessionId)
    if (!session) throw new Error(`no session ${sessionId}`)
    return session.payment_intent ?? this.#futureIntents.get(sessionId)!
  }

  /**
   * Simulates a declined card: the intent exists and failed, the session stays open (the customer may
   * retry on it); returns the payment_intent.payment_failed event Stripe emits.
   */
  declineSession(sessionId: string): Record<string, any> {
    const session = this.sessions.get(sessionId)
    if (!session) throw new Error(`no session ${sessionId}`)
    if (session.status !== 'open') throw new Error(`session ${sessionId} is ${session.status}, not payable`)
    session.payment_intent = this.intentOf(sessionId)
    return this.#event(session.account, 'payment_intent.payment_failed', {
      id: session.payment_intent,
      object: 'payment_intent',
      amount: session.amount_total,
      currency: session.currency,
      status: 'requires_payment_method',
      last_payment_error: { message: 'Your card was declined.' },
      metadata: session.metadata
    })
  }

  /**
   * Simulates a refund failing at the bank after Stripe accepted it: the charge's refunded amount drops
   * back; returns the charge.refund.updated event (its object is the Refund, not the Charge).
   */
  failRefund(refundId: string): Record<string, any> {
    const refund = this.refunds.get(refundId)
    if (!refund) throw new Error(`no refund ${refundId}`)
    refund.status = 'failed'
    refund.failure_reason = 'expired_or_canceled_card'
    const session = [...this.sessions.values()].find(
      (candidate) => candidate.payment_intent === refund.payment_intent
    )!
    return this.#event(session.account, 'charge.refund.updated', refund)
  }

  /** The charge of a paid session as Stripe shows it now (refunded amount without failed refunds). */
  chargeOf(session: Record<string, any>): Record<string, any> {
    const refunded = [...this.refunds.values()]
      .filter((refund) => refund.payment_intent === session.payment_intent)
      .filter((refund) => refund.status !== 'failed' && refund.status !== 'canceled')
      .reduce((sum, refund) => sum + refund.amount, 0)
    return {
      id: `ch_${String(session.payment_intent).slice(3)}`,
      object: 'charge',
      payment_intent: session.payment_intent,
      amount: session.amount_total,
      amount_refunded: refunded,
      refunded: refunded >= session.amount_total,
      currency: session.currency,
      metadata: session.metadata
    }
  }

  /** Simulates the customer paying (or a delayed method pending) and records the events Stripe emits. */
  completeSession(sessionId: string, outcome: 'paid' | 'unpaid'): Record<string, any>[] {
    const session = this.sessions.get(sessionId)
    if (!session) throw new Error(`no session ${sessionId}`)
    if (session.status !== 'open') throw new Error(`session ${sessionId} is ${session.status}, not payable`)
    session.payment_intent = this.intentOf(sessionId)
    session.status = 'complete'
    session.payment_status = outcome
    const emitted = [this.#event(session.account, 'checkout.session.completed', session)]
    if (outcome === 'paid') {
      emitted.push(
        this.#event(session.account, 'payment_intent.succeeded', {
          id: session.payment_intent,
          object: 'payment_intent',
          amount: session.amount_total,
          currency: session.currency,
          status: 'succeeded',
          metadata: session.metadata
        })
      )
    }
    return emitted
  }

  #id(prefix: string): string {
    this.#counter += 1
    return `${prefix}_fake${String(this.#counter).padStart(6, '0')}`
  }

  #event(account: string, type: string, object: Record<string, any>): Record<string, any> {
    const event = {
      id: this.#id('evt'),
      object: 'event',
      type,
      account,
      livemode: false,
      created: Math.floor(Date.now() / 1000),
      api_version: '2026-10-28.endive',
      data: { object: structuredClone(object) }
    }
    this.events.push(event)
    return event
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake')
    const bodyText = await readBody(request)
    const form = decodeStripeForm(request.method === 'GET' ? url.searchParams.toString() : bodyText)
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      authorization: header(request, 'authorization'),
      stripeAccount: header(request, 'stripe-account'),
      idempotencyKey: header(request, 'idempotency-key'),
      form
    }
    this.requests.push(recorded)
    if (recorded.authorization !== `Bearer ${this.secretKey}`) {
      return this.#send(response, 401, apiError('invalid_request_error', 'Invalid API Key provided'))
    }
    if (recorded.method === 'POST' && !recorded.idempotencyKey) {
      return this.#send(
        response,
        400,
        apiError('invalid_request_error', 'Idempotency-Key required by this fake on every POST')
      )
    }
    if (recorded.method === 'POST' && recorded.idempotencyKey) {
      // Stripe replays the first response for a reused key, and refuses the key with different parameters.
      const scope = `${recorded.stripeAccount ?? 'platform'}:${recorded.idempotencyKey}`
      const previous = this.#idempotent.get(scope)
      if (previous) {
        if (previous.bodyText !== bodyText) {
          return this.#send(
            response,
            400,
            apiError(
              'idempotency_error',
              'Keys for idempotent requests can only be used with the same parameters'
            )
          )
        }
        return this.#send(response, previous.status, previous.response)
      }
      const [status, body] = this.#route(recorded)
      this.#idempotent.set(scope, { bodyText, status, response: body })
      return this.#send(response, status, body)
    }
    const [status, body] = this.#route(recorded)
    return this.#send(response, status, body)
  }

  #route(request: RecordedRequest): [number, unknown] {
    const { method, path, form } = request
    if (method === 'POST' && path === '/v1/accounts') {
      const account = {
        id: this.#id('acct'),
        object: 'account',
        type: form.type,
        email: form.email ?? null,
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        requirements: { currently_due: ['external_account', 'tos_acceptance.date'] },
        metadata: form.metadata ?? {}
      }
      this.accounts.set(account.id, account)
      return [200, account]
    }
    if (method === 'GET' && path.startsWith('/v1/accounts/')) {
      const account = this.accounts.get(path.split('/')[3])
      return account ? [200, account] : [404, apiError('invalid_request_error', 'No such account')]
    }
    if (method === 'POST' && path === '/v1/account_links') {
      if (!this.accounts.has(form.account)) return [404, apiError('invalid_request_error', 'No such account')]
      return [
        200,
        { object: 'account_link', url: `https://connect.stripe.test/setup/${form.account}`, expires_at: 0 }
      ]
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') return this.#createSession(request)
    if (method === 'POST' && /^\/v1\/checkout\/sessions\/[^/]+\/expire$/.test(path)) {
      const session = this.sessions.get(path.split('/')[4])
      if (!session || session.account !== request.stripeAccount) {
        return [404, apiError('invalid_request_error', 'No such checkout.session')]
      }
      if (session.status !== 'open') {
        return [
          400,
          apiError('invalid_request_error', 'Only Checkout Sessions with a status of open can be expired')
        ]
      }
      session.status = 'expired'
      this.#event(session.account, 'checkout.session.expired', session)
      return [200, session]
    }
    if (method === 'GET' && path.startsWith('/v1/checkout/sessions/')) {
      const session = this.sessions.get(path.split('/')[4])
      if (!session || session.account !== request.stripeAccount) {
        return [404, apiError('invalid_request_error', 'No such checkout.session')]
      }
      return [200, session]
    }
    if (method === 'POST' && path === '/v1/refunds') return this.#createRefund(request)
    if (method === 'GET' && path.startsWith('/v1/charges/')) {
      const chargeId = path.split('/')[3]
      const session = [...this.sessions.values()].find(
        (candidate) =>
          candidate.payment_intent && `ch_${String(candidate.payment_intent).slice(3)}` === chargeId
      )
      if (!session || session.account !== request.stripeAccount) {
        return [404, apiError('invalid_request_error', 'No such charge')]
      }
      return [200, this.chargeOf(session)]
    }
    if (method === 'GET' && path === '/v1/events') {
      const since = Number(form.created?.gte ?? 0)
      const data = this.events
        .filter((event) => event.account === request.stripeAccount && event.created >= since)
        .reverse()
      return [200, { object: 'list', url: '/v1/events', has_more: false, data }]
    }
    return [404, apiError('invalid_request_error', `Unrecognized request URL (${method}: ${path})`)]
  }

  #createSession(request: RecordedRequest): [number, unknown] {
    const { form } = request
    if (!request.stripeAccount?.startsWith('acct_')) {
      return [400, apiError('invalid_request_error', 'Direct charges need the Stripe-Account header')]
    }
    const items = (form.line_items ?? []) as any[]
    let total = 0
    for (const item of items) {
      const unit = item.price_data?.unit_amount
      if (!/^\d+$/.test(unit ?? '') || !/^\d+$/.test(item.quantity ?? '')) {
        return [400, apiError('invalid_request_error', 'unit_amount and quantity must be integers')]
      }
      total += Number(unit) * Number(item.quantity)
    }
    const fee = form.payment_intent_data?.application_fee_amount
    if (fee !== undefined && (!/^\d+$/.test(fee) || Number(fee) > total)) {
      return [400, apiError('invalid_request_error', 'application_fee_amount must be an integer ≤ the total')]
    }
    const id = this.#id('cs_test')
    const session = {
      id,
      object: 'checkout.session',
      account: request.stripeAccount,
      mode: form.mode,
      status: 'open',
      payment_status: 'unpaid',
      amount_total: total,
      currency: form.line_items?.[0]?.price_data?.currency,
      customer_email: form.customer_email,
      client_reference_id: form.client_reference_id,
      payment_intent: null,
      application_fee_amount: fee === undefined ? null : Number(fee),
      metadata: form.metadata ?? {},
      success_url: form.success_url,
      cancel_url: form.cancel_url,
      url: `https://checkout.stripe.test/c/pay/${id}`,
      livemode: false
    }
    this.sessions.set(id, session)
    this.#futureIntents.set(id, this.#id('pi'))
    return [200, session]
  }

  #createRefund(request: RecordedRequest): [number, unknown] {
    const { form } = request
    if (!request.stripeAccount)
      return [400, apiError('invalid_request_error', 'Refunds of direct charges need Stripe-Account')]
    const session = [...this.sessions.values()].find(
      (candidate) => candidate.payment_intent === form.payment_intent
    )
    if (!session || session.account !== request.stripeAccount) {
      return [404, apiError('invalid_request_error', 'No such payment_intent')]
    }
    if (form.amount !== undefined && !/^\d+$/.test(form.amount)) {
      return [400, apiError('invalid_request_error', 'amount must be an integer')]
    }
    const refund = {
      id: this.#id('re'),
      object: 'refund',
      amount: form.amount === undefined ? session.amount_total : Number(form.amount),
      charge: `ch_${String(form.payment_intent).slice(3)}`,
      payment_intent: form.payment_intent,
      status: 'succeeded',
      metadata: form.metadata ?? {}
    }
    this.refunds.set(refund.id, refund)
    return [200, refund]
  }

  #send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${this.#counter}` })
    response.end(JSON.stringify(body))
  }
}

function apiError(type: string, message: string) {
  return { error: { type, message } }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}
