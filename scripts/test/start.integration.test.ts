// `npm start` end to end: database on a data dir, Redis, dev secrets, one-time demo seed, API and worker,
// demo logins that work, graceful stop; a second start keeps the first run's data and secrets.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SCRIPTS_DIR, scriptEnvironment } from './support/run-script.ts'

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

function start(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [join(SCRIPTS_DIR, 'start.ts')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function waitFor(started: Started, text: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null) throw new Error(`start exited early:\n${started.output()}`)
    if (Date.now() > deadline) throw new Error(`"${text}" not printed in time:\n${started.output()}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** node:http, because fetch does not let a caller set the Host header that selects the tenant. */
function call(
  port: number,
  tenant: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          host: `${tenant}.localhost:${port}`,
          ...(payload && { 'content-type': 'application/json' }),
          ...(token && { authorization: `Bearer ${token}` })
        }
      },
      (res) => {
        let text = ''
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined })
        )
      }
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const login = (port: number, tenant: string, email: string, password: string) =>
  call(port, tenant, 'POST', '/authentication', { strategy: 'local', email, password })

describe('npm start', { timeout: 300_000 }, () => {
  let running: Started | undefined
  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM')
      await running.exited
    }
  })

  it('starts the platform with demo data, stops gracefully, and keeps data on the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ms-start-'))
    const port = await freePort()
    const {
      MONGODB_URI: _,
      JWT_SECRET: __,
      PLATFORM_ENCRYPTION_KEY: ___,
      ...base
    } = scriptEnvironment('unused')
    const env = { ...base, MASTERSTAGE_DATA_DIR: dataDir, PORT: String(port), START_WEB_APPS: 'false' }

    running = start(env)
    await waitFor(running, 'Masterstage is running.')
    const banner = running.output()
    expect(banner).toContain('created dev secrets')
    expect(banner).toContain('seeding the demo agency, tenants and users (once)')
    expect(banner).toContain(`API http://ava-fit.localhost:${port}`)
    expect(banner).toMatch(/attendee\s+jamie@attendee\.test\s+demo-attendee-jamie \(ava-fit\)/)
    const secrets = readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8')

    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200)
    const ok = await login(port, 'ava-fit', 'jamie@attendee.test', 'demo-attendee-jamie')
    expect(ok.status).toBe(201)
    const { accessToken } = ok.json as { accessToken: string }
    expect(accessToken).toMatch(/^ey/)
    const wrong = await login(port, 'ava-fit', 'jamie@attendee.test', 'not-the-password')
    expect(wrong.status).toBe(401)

    // The seed connected the demo tenant's sandbox payment account: an invoice's checkout opens the
    // sandbox's hosted page (without it: 409, "This brand has not connected a payment account yet").
    expect(running.output()).toContain('ava-fit: sandbox payment account connected')
    const host = (await login(port, 'ava-fit', 'ava@ava-fit.test', 'demo-host-ava')).json.accessToken
    const connect = await call(port, 'ava-fit', 'GET', '/payments/connect', undefined, host)
    expect(connect.json).toMatchObject({ connected: true, provider: 'sandbox', chargesEnabled: true })
    const invoice = await call(
      port,
      'ava-fit',
      'POST',
      '/payments/invoices',
      {
        customer: { name: 'Jamie Lead', email: 'jamie@attendee.test' },
        lineItems: [{ description: 'Strong in 12 weeks', quantity: 1, unitAmountMinor: 4900 }]
      },
      host
    )
    expect(invoice.status).toBe(201)
    const checkout = await call(
      port,
      'ava-fit',
      'POST',
      '/payments/checkout',
      { invoiceId: invoice.json._id },
      host
    )
    expect(checkout.status).toBe(201)
    expect(checkout.json.checkoutUrl).toMatch(/\/payments-sandbox\/checkout\/cs_test_sbx\w+$/)
    expect((await fetch(checkout.json.checkoutUrl)).status).toBe(200)
    // Paying on the sandbox page sends signed events to the API's webhook route; the worker marks it paid.
    const paid = await fetch(checkout.json.checkoutUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=pay',
      redirect: 'manual'
    })
    expect(paid.status).toBe(303)
    const deadline = Date.now() + 30_000
    let status = ''
    while (status !== 'paid' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250))
      status = (await call(port, 'ava-fit', 'GET', `/payments/invoices/${invoice.json._id}`, undefined, host))
        .json.status
    }
    expect(status).toBe('paid')

    running.child.kill('SIGTERM')
    expect(await running.exited).toBe(0)
    expect(running.output()).toContain('▸ stopped')

    running = start(env)
    await waitFor(running, 'Masterstage is running.')
    expect(running.output()).toContain('using existing dev secrets')
    expect(running.output()).toMatch(/demo data already seeded on .*: keeping it/)
    expect(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8')).toBe(secrets)
    // The token of the first run still verifies: same secrets, same users.
    const me = await call(port, 'ava-fit', 'GET', '/users', undefined, accessToken)
    expect(me.status).toBe(200)
    expect(me.json.data.map((u: { email: string }) => u.email)).toEqual(['jamie@attendee.test'])
    const again = await login(port, 'ava-fit', 'jamie@attendee.test', 'demo-attendee-jamie')
    expect(again.status).toBe(201)
  })
})
