// `payments/invoice-reminders` create: resends an invoice email through a standard method, so the
// dashboard's live (socket) client can call it without registering the invoices' custom `resend`.
import type { PaymentsRuntime } from '../runtime.ts'
import { InvoicesService } from './invoices-service.ts'

export class InvoiceRemindersService {
  readonly invoices: InvoicesService

  constructor(runtime: () => PaymentsRuntime) {
    this.invoices = new InvoicesService(runtime)
  }

  create(data: { invoiceId: string; idempotencyKey?: string }) {
    return this.invoices.resend(data)
  }
}
