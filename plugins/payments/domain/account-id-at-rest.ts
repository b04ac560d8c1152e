// Connected account ids at rest: read in every format still stored (core's ctx.secrets under the current or
// a retired key, or the plugin's legacy p1/p2 formats) and written again under the current key, conditional
// on the value read, so concurrent upgrades make one write. Reads upgrade the value they read; after a key
// rotation `npm run secrets:rewrap` upgrades the rest (rewrapAccountIds), so the retired key can go.
import type { KeyObject } from 'node:crypto'
import {
  type PurposeSecretBox,
  runAsSystem,
  type SecretsRewrapPass,
  type SecretsRewrapResult,
  secretFailureReason
} from '@masterstage/core'
import type { Model } from 'mongoose'
import type { ConnectedAccount } from '../models/connected-account-model.ts'
import { decryptLegacyField, isLegacyFieldValue } from './field-cipher.ts'

export const ACCOUNT_ID_PURPOSE = 'connected-account'

export interface AccountIdCipher {
  secrets: PurposeSecretBox
  derivedKey: (label: string) => KeyObject
}

type Accounts = Model<ConnectedAccount, any, any, any, any, any>

/** The plain account id of a stored value; throws a SecretBoxError when it is not this tenant's. */
export function readAccountId(cipher: AccountIdCipher, stored: string, tenantId: string): string {
  return isLegacyFieldValue(stored)
    ? decryptLegacyField(cipher.derivedKey, ACCOUNT_ID_PURPOSE, stored, tenantId)
    : cipher.secrets.decrypt(stored, tenantId)
}

/** Writes the account id again under the current key unless the stored value changed meanwhile (false). */
export async function upgradeAccountId(
  accounts: Accounts,
  cipher: AccountIdCipher,
  account: { _id: unknown; accountIdEncrypted: string },
  accountId: string,
  tenantId: string
): Promise<boolean> {
  const { matchedCount } = await accounts
    .updateOne(
      { _id: account._id, accountIdEncrypted: account.accountIdEncrypted },
      { $set: { accountIdEncrypted: cipher.secrets.encrypt(accountId, tenantId) } }
    )
    .exec()
  return matchedCount === 1
}

async function isCurrentNow(accounts: Accounts, cipher: AccountIdCipher, id: unknown): Promise<boolean> {
  const now = (await accounts.findOne({ _id: id }).select('+accountIdEncrypted').lean().exec()) as {
    accountIdEncrypted?: string
  } | null
  return !now?.accountIdEncrypted || cipher.secrets.isCurrent(now.accountIdEncrypted)
}

/** Every tenant's connected accounts (any provider), each read in its tenant's scope. */
export async function rewrapAccountIds(
  accounts: Accounts,
  cipher: AccountIdCipher,
  pass: SecretsRewrapPass
): Promise<SecretsRewrapResult> {
  const result: SecretsRewrapResult = { rewritten: 0, current: 0, failed: [] }
  let checked = 0
  for (const tenantId of pass.tenantIds) {
    await runAsSystem('payments.rewrap-secrets', tenantId, async () => {
      const stored = await accounts.find({}).select('+accountIdEncrypted').sort({ _id: 1 }).lean().exec()
      for (const account of stored as { _id: unknown; accountIdEncrypted: string }[]) {
        if (cipher.secrets.isCurrent(account.accountIdEncrypted)) {
          result.current++
          continue
        }
        const id = `connected account ${String(account._id)} of tenant ${tenantId}`
        try {
          const accountId = readAccountId(cipher, account.accountIdEncrypted, tenantId)
          if (await upgradeAccountId(accounts, cipher, account, accountId, tenantId)) result.rewritten++
          // Written meanwhile (a read upgrading it, a reconnect): what matters is what is stored now.
          else if (await isCurrentNow(accounts, cipher, account._id)) result.current++
          else result.failed.push({ id, reason: 'CHANGED_DURING_REWRAP' })
        } catch (error) {
          result.failed.push({ id, reason: secretFailureReason(error) })
        }
      }
    })
    pass.progress(++checked)
  }
  return result
}
