// The sandbox provider's simulated hosted payment page (offline demo only): shows what is being paid
// and offers the outcomes a real checkout has; each button makes the sandbox deliver signed events.
import { validationError } from '@masterstage/core'
import type { Context, Next } from 'koa'
import { formatMoney } from '../domain/money.ts'
import type { SandboxOutcome } from '../providers/sandbox/sandbox-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'

const PAGE = /^\/payments-sandbox\/checkout\/(cs_test_sbx[0-9a-f]{20})(\/settle)?$/
const OUTCOMES: SandboxOutcome[] = ['pay', 'pay-delayed', 'fail', 'expire']

export function sandboxPageRoute(runtime: () => PaymentsRuntime) {
  return async (ctx: Context, next: Next) => {
    const match = PAGE.exec(ctx.path)
    const sandbox = match ? runtime().sandbox : undefined
    if (!match || !sandbox) return next()
    const [, sessionId, settle] = match
    const session = await sandbox.session(sessionId)
    if (!session) {
      ctx.status = 404
      ctx.type = 'text/html'
      ctx.body = '<!doctype html><title>Not found</title><p>This checkout does not exist.</p>'
      return
    }
    if (ctx.method === 'GET' && !settle) {
      ctx.type = 'text/html'
      ctx.set('Cache-Control', 'no-store')
      ctx.body = page(session)
      return
    }
    if (ctx.method !== 'POST') return next()
    const form = new URLSearchParams(await readForm(ctx))
    if (settle) {
      await sandbox.settleDelayed(sessionId, form.get('outcome') !== 'fail')
      ctx.redirect(session.success_url)
      return
    }
    const outcome = form.get('outcome') as SandboxOutcome
    if (!OUTCOMES.includes(outcome))
      throw validationError('Invalid sandbox outcome', [
        { path: 'outcome', message: `must be one of ${OUTCOMES.join(', ')}` }
      ])
    await sandbox.completeCheckout(sessionId, outcome)
    ctx.status = 303
    ctx.redirect(outcome === 'pay' || outcome === 'pay-delayed' ? session.success_url : session.cancel_url)
  }
}

async function readForm(ctx: Context): Promise<string> {
  const parsed = (ctx.request as any).body
  if (parsed && typeof parsed === 'object' && Object.keys(parsed).length)
    return new URLSearchParams(parsed).toString()
  const unparsed = parsed?.[Symbol.for('unparsedBody')]
  if (typeof unparsed === 'string') return unparsed
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    ctx.req.on('data', (chunk: Buffer) => chunks.push(chunk))
    ctx.req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    ctx.req.on('error', reject)
  })
}

function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function page(session: Record<string, any>): string {
  const amount = formatMoney(session.amount_total, session.currency)
  const open = session.status === 'open'
  const pending = session.status === 'complete' && session.payment_status === 'unpaid'
  const button = (outcome: string, label: string, id: string) =>
    `<button name="outcome" value="${outcome}" data-testid="${id}">${label}</button>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sandbox checkout</title>
<style>body{font-family:system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem}
.card{border:1px solid #ddd;border-radius:.75rem;padding:1.5rem}.badge{background:#fde68a;padding:.2rem .5rem;border-radius:.4rem;font-size:.8rem}
button{display:block;width:100%;margin:.5rem 0;padding:.75rem;border-radius:.5rem;border:1px solid #999;font-size:1rem;cursor:pointer}
button[value=pay]{background:#111;color:#fff}</style></head>
<body><div class="card">
<p><span class="badge">SANDBOX - no real money moves</span></p>
<h1>Pay invoice ${escapeHtml(session.metadata?.invoiceNumber)}</h1>
<p data-testid="amount">${escapeHtml(amount)}</p>
<p>Billed to ${escapeHtml(session.customer_email)}</p>
${
  open
    ? `<form method="post">${button('pay', 'Pay with test card', 'pay')}${button('pay-delayed', 'Pay by bank transfer (settles later)', 'pay-delayed')}${button('fail', 'Simulate a declined card', 'decline')}${button('expire', 'Let the checkout expire', 'expire')}</form>`
    : pending
      ? `<p>Bank transfer pending.</p><form method="post" action="${escapeHtml(session.id)}/settle">${button('ok', 'Settle the transfer', 'settle')}${button('fail', 'Transfer fails', 'settle-fail')}</form>`
      : `<p data-testid="closed">This checkout is ${escapeHtml(session.status)}.</p>`
}
</div></body></html>`
}
