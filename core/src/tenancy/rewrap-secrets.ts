// After an encryption key rotation: writes every stored secret that is not under the current key again
// under it (tenants' plugin secrets here, each plugin's own encrypted data through its manifest's
// rewrapSecrets), so that the retired keys can be removed from PLATFORM_RETIRED_ENCRYPTION_KEYS. Values are
// only ever rewritten on read otherwise, and a value nobody reads would keep its retired key forever. The
// key-derivation root is rewrapped at every start (derivation-root.ts). Every write is conditional on the
// value it replaces, so a pass can run beside the live platform and again after an interruption.
import type { Application } from '../app/declarations.ts'
import { trusted } from '../data/trusted-filter.ts'
import { loadedPlugins } from '../plugins/load-plugins.ts'
import type { SecretsRewrapResult } from '../plugins/plugin-manifest.ts'
import type { SecretBox } from './secret-box.ts'
import type { TenancyModels } from './tenancy-models.ts'

export interface SecretsRewrapPart {
  /** `tenant plugin secrets`, or the plugin's name. */
  name: string
  result: SecretsRewrapResult
}

export interface SecretsRewrapReport {
  /** Id of the key every rewritten value is under now. */
  keyId: string
  parts: SecretsRewrapPart[]
}

/** Progress of one part: how many records it has checked so far. */
export type RewrapProgress = (part: string, checked: number) => void

export const TENANT_SECRETS_PART = 'tenant plugin secrets'

interface AccessRuntime {
  tenancy: TenancyModels
  secretBox: SecretBox
}

/** Rewraps tenants' plugin secrets, then each plugin's own values, in plugin dependency order. */
export async function rewrapAllSecrets(
  app: Application,
  progress: RewrapProgress
): Promise<SecretsRewrapReport> {
  const access = (app as any).get('access') as AccessRuntime | undefined
  if (!access) throw new Error('rewrapAllSecrets needs the access runtime (createApp configures it)')
  const parts: SecretsRewrapPart[] = [
    {
      name: TENANT_SECRETS_PART,
      result: await rewrapTenantPluginSecrets(access, (checked) => progress(TENANT_SECRETS_PART, checked))
    }
  ]
  const rewrapping = loadedPlugins(app).filter(({ manifest }) => manifest.rewrapSecrets)
  if (rewrapping.length === 0) return { keyId: access.secretBox.keyId, parts }
  const tenantIds = (await access.tenancy.Tenant.find({}, { _id: 1 }).sort({ _id: 1 }).lean().exec()).map(
    (tenant) => String(tenant._id)
  )
  for (const { manifest, context } of rewrapping) {
    const result = await manifest.rewrapSecrets!(context, {
      tenantIds,
      progress: (checked) => progress(manifest.name, checked)
    })
    parts.push({ name: manifest.name, result })
  }
  return { keyId: access.secretBox.keyId, parts }
}

/** Each tenant's plugin secrets (unbound values in `enabledPlugins[].secretsEncrypted`). */
export async function rewrapTenantPluginSecrets(
  access: AccessRuntime,
  progress: (checked: number) => void
): Promise<SecretsRewrapResult> {
  const box = access.secretBox
  const { Tenant } = access.tenancy
  const result: SecretsRewrapResult = { rewritten: 0, current: 0, failed: [] }
  let checked = 0
  const tenants = Tenant.find({}, { enabledPlugins: 1 }).sort({ _id: 1 }).lean().cursor()
  for await (const tenant of tenants) {
    for (const entry of tenant.enabledPlugins ?? []) {
      const stale: [string, string][] = []
      for (const [name, value] of Object.entries(entry.secretsEncrypted ?? {})) {
        if (box.isCurrentUnbound(value)) result.current++
        else stale.push([name, value])
      }
      if (stale.length > 0)
        await rewrapEntry(access, String(tenant._id), entry.name, entry.secretsEncrypted, stale, result)
    }
    progress(++checked)
  }
  return result
}

async function rewrapEntry(
  access: AccessRuntime,
  tenantId: string,
  plugin: string,
  stored: Record<string, string>,
  stale: [string, string][],
  result: SecretsRewrapResult
): Promise<void> {
  const box = access.secretBox
  const next = { ...stored }
  let rewriting = 0
  for (const [name, value] of stale) {
    try {
      // The stored text is JSON already: encrypted again as it is.
      next[name] = box.encrypt(box.decrypt(value))
      rewriting++
    } catch (error) {
      result.failed.push({ id: secretId(tenantId, plugin, name), reason: secretFailureReason(error) })
    }
  }
  if (rewriting === 0) return
  // The whole entry's secrets as read: a reconfiguration meanwhile (new values, fresh IVs) leaves it alone.
  const unchanged = Object.fromEntries(
    Object.entries(stored).map(([name, value]) => [`secretsEncrypted.${name}`, value])
  )
  const { matchedCount } = await access.tenancy.Tenant.updateOne(
    { _id: tenantId, enabledPlugins: trusted({ $elemMatch: { name: plugin, ...unchanged } }) },
    { $set: { 'enabledPlugins.$.secretsEncrypted': next } }
  ).exec()
  if (matchedCount === 1) {
    result.rewritten += rewriting
    return
  }
  // Configured again meanwhile: the new values are under the current key already.
  for (const [name] of stale)
    if (next[name] !== stored[name])
      result.failed.push({ id: secretId(tenantId, plugin, name), reason: 'CHANGED_DURING_REWRAP' })
}

const secretId = (tenantId: string, plugin: string, name: string) =>
  `tenant ${tenantId} plugin ${plugin} secret ${name}`

/** A SecretBoxError's reason code, else the error's message (never a value). */
export function secretFailureReason(error: unknown): string {
  const data = (error as { data?: { reason?: unknown } })?.data
  return typeof data?.reason === 'string' ? data.reason : ((error as Error)?.message ?? String(error))
}
