// The board's data over real HTTP and Socket.io: the whole board in one request (columns paged on their own),
// filtered lists per tenant and agency-wide, rep edits, live updates to every staff connection of the lead's
// tenant (and none elsewhere), streamed CSV export.
import { currentScope } from '@masterstage/core'
import { createRestClient } from '@masterstage/core/client'
import { io, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LEAD_STATUSES } from '../../contract.ts'
import { type ColumnCounts, shownOf } from '../../dashboard/board-columns.ts'
import { fetchBoard } from '../../dashboard/board-data.ts'
import { emitAndWait } from '../support/emit-and-wait.ts'
import { call, eventually, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

let t: PipelineTestApp
/** Catalogue entries: ava's masterclasses one and two, marco's one (registration refuses others). */
let mc: { one: string; two: string; marcoOne: string }
const register = (email: string, tenant: string, extra: Record<string, unknown> = {}) =>
  call(
    t.url,
    'POST',
    '/pipeline/registrations',
    {
      name: `Name ${email}`,
      email,
      masterclassId: tenant === t.tenants.marco.slug ? mc.marcoOne : mc.one,
      consent: 'on',
      utmSource: 'ig',
      ...extra
    },
    { tenant }
  )
const get = async (path: string, user: 'avaHost' | 'avaRep' | 'marcoHost' | 'northAdmin', headers = {}) =>
  call(t.url, 'GET', path, undefined, { tenant: t.tenants.ava.slug, token: await t.token(user), headers })

interface LiveSocket {
  socket: Socket
  received: { event: string; data: any }[]
}

async function liveBoard(
  user: 'avaHost' | 'avaRep' | 'marcoHost' | 'northAdmin',
  tenant?: string
): Promise<LiveSocket> {
  const socket = io(t.url, {
    transports: ['websocket'],
    auth: tenant ? { tenant } : {},
    reconnection: false,
    forceNew: true
  })
  const received: LiveSocket['received'] = []
  socket.onAny((event, data) => received.push({ event, data }))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  const accessToken = await t.token(user)
  await new Promise<void>((resolve, reject) =>
    socket.emit('create', 'authentication', { strategy: 'jwt', accessToken }, (error: any) =>
      error ? reject(error) : resolve()
    )
  )
  return { socket, received }
}

beforeAll(async () => {
  t = await startPipelineTestApp('pipeline-board')
  const ava = await t.catalogue(t.tenants.ava._id, ['one', 'two'])
  mc = { ...ava, marcoOne: (await t.catalogue(t.tenants.marco._id, ['one'])).one }
  for (const [email, extra] of [
    ['b1@example.com', { utmSource: 'ig', masterclassId: mc.one }],
    ['b2@example.com', { utmSource: 'tiktok', masterclassId: mc.two, company: '=HYPERLINK("x")' }],
    ['b3@example.com', { utmSource: 'ig', masterclassId: mc.two }]
  ] as const) {
    expect((await register(email, t.tenants.ava.slug, extra)).status).toBe(201)
  }
  expect((await register('m1@example.com', t.tenants.marco.slug)).status).toBe(201)
})
afterAll(async () => {
  await t?.close()
})

describe('board reads', () => {
  it('lists the tenant’s leads with filters and never another tenant’s', async () => {
    const all = await get('/pipeline/leads', 'avaRep')
    expect(all.status).toBe(200)
    expect(all.body.data.map((l: any) => l.email).sort()).toEqual([
      'b1@example.com',
      'b2@example.com',
      'b3@example.com'
    ])
    expect(all.body.data[0]).not.toHaveProperty('lastTransition')
    const dated = await get(
      '/pipeline/leads?from=2000-01-01T00:00:00.000Z&to=2100-01-01T00:00:00.000Z',
      'avaRep'
    )
    expect(dated.body.total).toBe(3)
    expect((await get('/pipeline/leads?to=2000-01-01T00:00:00.000Z', 'avaRep')).body.total).toBe(0)
    const filtered = await get(`/pipeline/leads?source=ig&masterclassId=${mc.two}`, 'avaRep')
    expect(filtered.body.data.map((l: any) => l.email)).toEqual(['b3@example.com'])
    const marco = await call(t.url, 'GET', '/pipeline/leads', undefined, {
      tenant: t.tenants.marco.slug,
      token: await t.token('marcoHost')
    })
    expect(marco.body.data.map((l: any) => l.email)).toEqual(['m1@example.com'])
  })

  it('refuses another tenant’s staff, operator filters and unknown filters', async () => {
    expect((await get('/pipeline/leads', 'marcoHost')).status).toBe(403)
    const injected = await get('/pipeline/leads?email[$ne]=x', 'avaRep')
    expect(injected.status).toBe(400)
    const wrongType = await get('/pipeline/leads?source[$gt]=', 'avaRep')
    expect(wrongType.status).toBe(400)
    expect(wrongType.body.errors).toEqual([{ path: 'source', message: 'must be a plain value' }])
  })

  it('an agency admin sees the agency’s tenants in one board', async () => {
    const response = await get('/pipeline/leads', 'northAdmin', { 'x-tenant-scope': 'agency' })
    expect(response.status).toBe(200)
    expect(response.body.total).toBe(4)
  })

  it('a lead of another tenant is a 404, not a leak', async () => {
    const [marcoLead] = await t.asTenant(t.tenants.marco._id, () => t.model('lead').find({}).lean())
    expect((await get(`/pipeline/leads/${marcoLead._id}`, 'avaRep')).status).toBe(404)
  })
})

describe('board in one request', () => {
  /** The dashboard's board load through a real REST client, counting its HTTP requests. */
  async function loadBoard(
    user: 'avaRep' | 'northAdmin',
    filters: Record<string, string> = {},
    shown: Partial<ColumnCounts> = {},
    agency = false
  ) {
    const requests: string[] = []
    const client = createRestClient({
      apiUrl: t.url,
      tenant: t.tenants.ava.slug,
      accessToken: await t.token(user),
      fetch: (async (url: string | URL | Request, init?: RequestInit) => {
        requests.push(String(url))
        return fetch(url, init)
      }) as typeof fetch
    })
    const columns = { ...shownOf(new URL('http://board.invalid/p/pipeline')), ...shown }
    const board = await fetchBoard(client, filters, agency, columns)
    return { board, requests }
  }

  it('loads every column, its count and the funnel with one request (the leads and metrics calls were 8)', async () => {
    const { board, requests } = await loadBoard('avaRep')
    expect(requests).toHaveLength(1)
    expect(new URL(requests[0]).pathname).toBe('/pipeline/board')
    expect(board.leads.map((lead) => lead.email).sort()).toEqual([
      'b1@example.com',
      'b2@example.com',
      'b3@example.com'
    ])
    expect(board.counts).toEqual({ NEW: 3, INVOICED: 0, PAID: 0, ATTENDED: 0, SCHEDULED: 0, WON: 0, LOST: 0 })
    expect(board.reached).toMatchObject({ NEW: 3, INVOICED: 0 })
  })

  it('pages each column on its own, filters, and shows an agency admin the agency', async () => {
    const paged = await loadBoard('avaRep', {}, { NEW: 2 })
    expect(paged.board.leads).toHaveLength(2)
    expect(paged.board.counts.NEW).toBe(3)
    const ig = await loadBoard('avaRep', { source: 'ig' })
    expect(ig.board.counts.NEW).toBe(2)
    expect(ig.board.reached.NEW).toBe(2)
    const agency = await loadBoard('northAdmin', {}, {}, true)
    expect(agency.requests).toHaveLength(1)
    expect(agency.board.counts.NEW).toBe(4)
    expect(agency.board.leads.map((lead) => lead.email)).toContain('m1@example.com')
  })

  it('refuses bad page sizes, a status filter, and another tenant’s staff', async () => {
    for (const query of ['show.NEW=0', 'show.WON=501', 'show.LOST=x']) {
      const response = await get(`/pipeline/board?${query}`, 'avaRep')
      expect(response.status, query).toBe(400)
      expect(response.body.errors).toEqual([
        { path: query.split('=')[0], message: 'must be an integer between 1 and 500' }
      ])
    }
    expect((await get('/pipeline/board?status=NEW', 'avaRep')).status).toBe(400)
    expect((await get('/pipeline/board?email[$ne]=x', 'avaRep')).status).toBe(400)
    expect((await get('/pipeline/board', 'marcoHost')).status).toBe(403)
  })

  it('costs 8 lead reads and the funnel’s: one aggregation for the totals, 7 pages without counts (were 14)', async () => {
    const leads = t.model('lead').collection.collectionName
    const connection = t.app.get('mongoose')
    for (const [user, agency] of [
      ['avaRep', false],
      ['northAdmin', true]
    ] as const) {
      const requestId = `board-reads-${user}-${Date.now()}`
      const reads: { method: string; args: any[] }[] = []
      // Commands of this request only (by its request scope), not of jobs or handlers running meanwhile.
      connection.set('debug', (collection: string, method: string, ...args: any[]) => {
        if (collection === leads && currentScope()?.requestId === requestId) reads.push({ method, args })
      })
      try {
        const response = await get(`/pipeline/board?source=ig&show.NEW=2`, user, {
          'x-request-id': requestId,
          ...(agency && { 'x-tenant-scope': 'agency' })
        })
        expect(response.status).toBe(200)
      } finally {
        connection.set('debug', undefined)
      }
      const isFunnel = (read: { method: string; args: any[] }) =>
        read.method === 'aggregate' && read.args[0].some((stage: any) => stage.$group?.r0)
      const board = reads.filter((read) => !isFunnel(read))
      expect(reads.filter(isFunnel).length, user).toBeGreaterThan(0)
      expect(board.map((read) => read.method).sort(), user).toEqual([
        'aggregate',
        ...LEAD_STATUSES.map(() => 'find')
      ])
    }
  })

  it('totals equal each status’s lead count under the same filters, in the tenant and agency-wide', async () => {
    const [b3] = (await get(`/pipeline/leads?source=ig&masterclassId=${mc.two}`, 'avaRep')).body.data
    await emitAndWait(t, t.tenants.ava._id, 'invoice.issued', { invoiceId: 'inv-board', leadId: b3._id })
    const cases: [user: 'avaRep' | 'northAdmin', filters: Record<string, string>, agency: boolean][] = [
      ['avaRep', {}, false],
      ['avaRep', { source: 'ig' }, false],
      ['avaRep', { masterclassId: mc.two }, false],
      ['avaRep', { source: 'ig', masterclassId: mc.one }, false],
      ['avaRep', { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }, false],
      ['avaRep', { to: '2000-01-01T00:00:00.000Z' }, false],
      ['northAdmin', {}, true],
      ['northAdmin', { source: 'ig' }, true]
    ]
    const seen: ColumnCounts[] = []
    for (const [user, filters, agency] of cases) {
      const { board } = await loadBoard(user, filters, {}, agency)
      const headers = agency ? { 'x-tenant-scope': 'agency' } : {}
      for (const status of LEAD_STATUSES) {
        const query = new URLSearchParams({ ...filters, status })
        const column = await get(`/pipeline/leads?${query}`, user, headers)
        expect(board.counts[status], `${status} ${query}`).toBe(column.body.total)
        // The column's page is the leads service's page, in its order.
        expect(
          board.leads.filter((lead) => lead.status === status).map((lead) => lead._id),
          `${status} ${query}`
        ).toEqual(column.body.data.map((lead: any) => lead._id))
      }
      seen.push(board.counts)
    }
    const zero = { NEW: 0, INVOICED: 0, PAID: 0, ATTENDED: 0, SCHEDULED: 0, WON: 0, LOST: 0 }
    expect(seen).toEqual([
      { ...zero, NEW: 2, INVOICED: 1 },
      { ...zero, NEW: 1, INVOICED: 1 },
      { ...zero, NEW: 1, INVOICED: 1 },
      { ...zero, NEW: 1 },
      { ...zero, NEW: 2, INVOICED: 1 },
      zero,
      { ...zero, NEW: 3, INVOICED: 1 },
      { ...zero, NEW: 2, INVOICED: 1 }
    ])
  })
})

describe('rep edits', () => {
  it('sets owner, tags and a note; refuses status changes by patch', async () => {
    const [lead] = (await get('/pipeline/leads?source=tiktok', 'avaRep')).body.data
    const patched = await call(
      t.url,
      'PATCH',
      `/pipeline/leads/${lead._id}`,
      { assignedToId: t.users.avaRep._id, tags: ['hot', 'vip'], note: 'Called, interested' },
      { tenant: t.tenants.ava.slug, token: await t.token('avaRep') }
    )
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ assignedToId: t.users.avaRep._id, tags: ['hot', 'vip'] })
    expect(patched.body.notes).toEqual([
      expect.objectContaining({ text: 'Called, interested', authorId: t.users.avaRep._id })
    ])
    const refused = await call(
      t.url,
      'PATCH',
      `/pipeline/leads/${lead._id}`,
      { status: 'WON', tenantId: 'x' },
      {
        tenant: t.tenants.ava.slug,
        token: await t.token('avaRep')
      }
    )
    expect(refused.status).toBe(400)
    expect((await get(`/pipeline/leads/${lead._id}`, 'avaRep')).body.status).toBe('NEW')
  })
})

describe('live board', () => {
  it('every staff connection of the tenant sees new leads and moves; other tenants see nothing', async () => {
    const rep = await liveBoard('avaRep', t.tenants.ava.slug)
    const host = await liveBoard('avaHost', t.tenants.ava.slug)
    const agency = await liveBoard('northAdmin')
    const other = await liveBoard('marcoHost', t.tenants.marco.slug)
    try {
      expect((await register('live@example.com', t.tenants.ava.slug)).status).toBe(201)
      for (const board of [rep, host, agency]) {
        await eventually(async () =>
          board.received.find(
            (m) => m.event === 'pipeline/leads created' && m.data.email === 'live@example.com'
          )
        )
      }
      const created = rep.received.find((m) => m.event === 'pipeline/leads created')!.data
      await emitAndWait(t, t.tenants.ava._id, 'invoice.issued', {
        invoiceId: 'inv-live',
        leadId: created._id
      })
      await eventually(async () =>
        host.received.find((m) => m.event === 'pipeline/leads patched' && m.data.status === 'INVOICED')
      )
      expect(other.received.filter((m) => m.event.startsWith('pipeline/'))).toEqual([])
    } finally {
      for (const board of [rep, host, agency, other]) board.socket.close()
    }
  })
})

describe('CSV export', () => {
  it('streams the filtered leads as CSV with formula cells neutralized', async () => {
    const response = await get('/pipeline/export?source=tiktok', 'avaHost')
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/
    )
    const lines = response.text.trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'id,created_at,status,name,email,phone,company,masterclass_id,utm_source,utm_medium,utm_campaign,referrer,owner_id,tags,score,paid_minor,currency,stage_entered_at'
    )
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain(',b2@example.com,')
    expect(lines[1]).toContain(`,"'=HYPERLINK(""x"")",`)
  })

  it('exports only the addressed tenant', async () => {
    const response = await get('/pipeline/export', 'avaHost')
    expect(response.text).not.toContain('m1@example.com')
    expect(response.text.trimEnd().split('\r\n')).toHaveLength(5)
  })
})
