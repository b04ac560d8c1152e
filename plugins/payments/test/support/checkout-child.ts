// A second API process for the crash test: builds the platform with the payments plugin against the same
// database, Redis and Stripe fake as the test, opens the checkout of the invoice it is sent, and is killed
// (SIGKILL, no cleanup, no further line of our code) the moment the Stripe call has answered, before the
// payment records the provider's session. Protocol over IPC: the test sends { config, platform, tenantId,
// invoiceId }; the child reports back only if it was not killed.
import { type Config, createApp } from '@masterstage/core'
import pino from 'pino'
import type { PaymentsPlatformConfig } from '../../platform-config.ts'
import { createPaymentsPlugin, openCheckoutAsSystem } from '../../plugin.ts'
import type { PaymentsRuntime } from '../../runtime.ts'

export interface CheckoutChildRequest {
  config: Omit<Config, 'encryptionKey'> & { encryptionKeyHex: string }
  platform: PaymentsPlatformConfig
  tenantId: string
  invoiceId: string
}

process.once('message', async (request: CheckoutChildRequest) => {
  let runtime: PaymentsRuntime | undefined
  const plugin = createPaymentsPlugin({ platform: request.platform, onRuntime: (built) => (runtime = built) })
  const { encryptionKeyHex, ...rest } = request.config
  const config: Config = {
    ...rest,
    encryptionKey: Buffer.from(encryptionKeyHex, 'hex'),
    // The test's process runs the jobs; this one only serves the checkout.
    runWorkersInProcess: false
  }
  await createApp({ config, logger: pino({ level: 'silent' }), plugins: [plugin] })
  await openCheckoutAsSystem(runtime!, request.tenantId, request.invoiceId, {
    afterProviderCall: () => process.kill(process.pid, 'SIGKILL')
  })
  process.send!('not killed', () => process.exit(1))
})
