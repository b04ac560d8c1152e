// The agency board's live connection: puts the dashboard socket in core's agency scope (it hears lead events
// of every tenant of the admin's agency) while the board is open, and runs each move in the lead's own
// tenant. A socket call goes to the connection's selected tenant, so a move first selects the lead's tenant
// (keeping the agency scope); moves run one at a time so no call lands in another move's tenant.
import type { MasterstageClient } from '@masterstage/core/client'

const RETRIES = 5
const RETRY_MS = 300

export class AgencyLive {
  private readonly realtime: MasterstageClient
  private readonly homeTenantId: string
  private selected: string | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private stopped = false
  private readonly onConnect = () => {
    // A reconnected socket is a new server connection: tenant scope only, until selected again.
    this.selected = undefined
    void this.enqueue(() => this.select(this.homeTenantId, RETRIES))
  }

  constructor(realtime: MasterstageClient, homeTenantId: string) {
    this.realtime = realtime
    this.homeTenantId = homeTenantId
  }

  private get socket(): {
    on(event: string, fn: () => void): void
    off(event: string, fn: () => void): void
  } {
    return (this.realtime as any).io
  }

  /** Resolves once the connection hears the whole agency. */
  start(): Promise<void> {
    this.socket?.on('connect', this.onConnect)
    return this.enqueue(() => this.select(this.homeTenantId, RETRIES))
  }

  /** Back to the selected tenant only (the other pages of the dashboard are per tenant). */
  stop(): void {
    this.stopped = true
    this.socket?.off('connect', this.onConnect)
    void this.enqueue(() =>
      (this.realtime as any)
        .service('tenant-selection')
        .create({ tenant: this.homeTenantId })
        .catch(() => undefined)
    )
  }

  /** Runs `work` (a socket call) with `tenantId` selected, after the moves before it. */
  inTenant<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      if (this.selected !== tenantId) await this.select(tenantId, 0)
      return work()
    })
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => undefined)
    return run
  }

  private async select(tenantId: string, retries: number): Promise<void> {
    if (this.stopped) return
    try {
      await (this.realtime as any).service('tenant-selection').create({ tenant: tenantId, scope: 'agency' })
      this.selected = tenantId
    } catch (error) {
      // Right after a reconnect the socket may not be authenticated again yet.
      if (retries <= 0) throw error
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
      return this.select(tenantId, retries - 1)
    }
  }
}
