// Logical sessions: the open transaction and remembered retryable-write results per lsid.
import type { Binary, Document } from 'bson'
import type { Transaction } from './transaction.ts'

const RETAINED_RESULTS = 64

export class Session {
  readonly id: string
  lastUse = Date.now()
  highestTxnNumber = -1
  txn: Transaction | null = null
  readonly results = new Map<number, Promise<Document>>()

  constructor(id: string) {
    this.id = id
  }

  remember(txnNumber: number, result: Promise<Document>): void {
    this.results.set(txnNumber, result)
    if (this.results.size > RETAINED_RESULTS) {
      const oldest = this.results.keys().next().value
      if (oldest !== undefined) this.results.delete(oldest)
    }
  }
}

export function sessionIdOf(lsid: unknown): string | null {
  if (!lsid || typeof lsid !== 'object') return null
  const id = (lsid as { id?: Binary }).id
  if (!id || typeof (id as Binary).toString !== 'function') return null
  return Buffer.from((id as Binary).buffer).toString('hex')
}

export class SessionRegistry {
  readonly sessions = new Map<string, Session>()

  get(id: string): Session {
    let session = this.sessions.get(id)
    if (!session) {
      session = new Session(id)
      this.sessions.set(id, session)
    }
    session.lastUse = Date.now()
    return session
  }

  end(id: string): Session | undefined {
    const session = this.sessions.get(id)
    this.sessions.delete(id)
    return session
  }

  // Sessions expire after logicalSessionTimeoutMinutes of inactivity.
  expired(now: number, timeoutMs: number): Session[] {
    return [...this.sessions.values()].filter((s) => now - s.lastUse > timeoutMs)
  }
}
