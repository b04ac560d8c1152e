// After an encryption key rotation: writes every stored secret that is not under the current key again
// under it (the key-derivation root and tenants' plugin secrets here, each plugin's own encrypted data
// through its manifest's rewrapSecrets), so the retired keys can be removed from
// PLATFORM_RETIRED_ENCRYPTION_KEYS. Otherwise values are only written again when read (the root at start,
// a plugin's values where it reads them), and a value nobody reads would keep its retired key forever.
// Every write is conditional on the value it replaces, and a tenant's write bumps its revision, so that a
// concurrent reconfiguration (which writes on the revision it read) conflicts instead of putting the old
// values back; a pass can run beside the live platform and again after an interruption. Passes repeat
// until one finds nothing to rewrite: only that pass is proof that nothing is left.

import type { Application } from '../app/declarations.ts'
import { ALL_KEYS } from '../app/invalidation-broadcast.ts'
import type { AccessRuntime } from '../auth/access-runtime.ts'
import { trusted } from '../data/trusted-filter.ts'
import { loadedPlugins } from '../plugins/load-plugins.ts'
import type { SecretsRewrapResult } from '../plugins/plugin-manifest.ts'
import { rewrapDerivationRoot } from './derivation-root.ts'
import { secretFailureReason } from './secret-box.ts'

export interface SecretsRewrapPart {
  /** `key-derivation root`, `tenant plugin secrets`, or the plugin's name. */
  name: string
  result: SecretsRewrapResult
}

export interface SecretsRewrapReport {
  /** Id of the key every rewritten value is under now. */
  keyId: string
  /** Each part's totals over all passes (`current`: as found by the last pass). */
  parts: SecretsRewrapPart[]
  /** The last pass found nothing to rewrite and nothing it could not read: no value needs a retired key. */
  verified: boolean
}

/** Progress of one part: how many records (tenants) it has checked so far in the current pass. */
export type RewrapProgress = (part: string, checked: number) => void

export const ROOT_PART = 'key-derivation root'
export const TENANT_SECRETS_PART = 'tenant plugin secrets'
/** A concurrent writer can make a pass rewrite again; past this many passes the report says so. */
const MAX_PASSES = 3

/** Rewrap passes over the root, tenants' plugin secrets and each plugin's own values (dependency order). */
export async function rewrapAllSecrets(
  app: Application,
  progress: RewrapProgress
): Promise<SecretsRewrapReport> {
  const access = app.get('access') as AccessRuntime | undefined
  if (!access) throw new Error('rewrapAllSecrets needs the access runtime (createApp configures it)')
  const totals = new Map<string, SecretsRewrapResult>()
  let verified = false
  for (let pass = 0; pass < MAX_PASSES && !verified; pass++) {
    const parts = await rewrapPass(app, access, progress)
    for (const { name, result } of parts) {
      const total = totals.get(name) ?? { rewritten: 0, current: 0, failed: [] }
      total.rewritten += result.rewritten
      total.current = result.current
      total.failed = result.failed
      totals.set(name, total)
    }
    const failed = parts.some((part) => part.result.failed.length > 0)
    verified = !failed && parts.every((part) => part.result.rewritten === 0)
    // Values no key reads stay so however often it is tried.
    if (failed) break
  }
  return {
    keyId: access.secretBox.keyId,
    parts: [...totals].map(([name, result]) => ({ name, result })),
    verified
  }
}

async function rewrapPass(
  app: Application,
  access: AccessRuntime,
  progress: RewrapProgress
): Promise<SecretsRewrapPart[]> {
  const parts: SecretsRewrapPart[] = [{ name: ROOT_PART, result: await rewrapRoot(app, access) }]
  const tenants = await rewrapTenantPluginSecrets(access, (checked) => progress(TENANT_SECRETS_PART, checked))
  parts.push({ name: TENANT_SECRETS_PART, result: tenants })
  // Cached tenants keep the old ciphertexts, readable while the retired key is configured; dropped anyway.
  if (tenants.rewritten > 0) await access.invalidations.publish('tenants', ALL_KEYS)
  const rewrapping = loadedPlugins(app).filter(({ manifest }) => manifest.rewrapSecrets)
  if (rewrapping.length === 0) return parts
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
  return parts
}

async function rewrapRoot(app: Application, access: AccessRuntime): Promise<SecretsRewrapResult> {
  const outcome = await rewrapDerivationRoot(app.get('mongoose'), access.secretBox)
  if (outcome === 'missing') return { rewritten: 0, current: 0, failed: [] }
  if (outcome === 'current') return { rewritten: 0, current: 1, failed: [] }
  if (outcome === 'rewritten') return { rewritten: 1, current: 0, failed: [] }
  return {
    rewritten: 0,
    current: 0,
    failed: [{ id: 'platform_secrets derivation-root', reason: outcome.failed }]
  }
}

/** Each tenant's plugin secrets (unbound values in `enabledPlugins[].secretsEncrypted`). */
async function rewrapTenantPluginSecrets(
  access: Pick<AccessRuntime, 'tenancy' | 'secretBox'>,
  progress: (checked: number) => void
): Promise<SecretsRewrapResult> {
  const box = access.secretBox
  const { Tenant } = access.tenancy
  const result: SecretsRewrapResult = { rewritten: 0, current: 0, failed: [] }
  let checked = 0
  const tenants = Tenant.find({}, { enabledPlugins: 1 }).sort({ _id: 1 }).lean().cursor()
  for await (const tenant of tenants) {
    for (const entry of tenant.enabledPlugins ?? []) {
      const stored = entry.secretsEncrypted ?? {}
      const stale = Object.keys(stored).filter((name) => !box.isCurrentUnbound(stored[name]))
      result.current += Object.keys(stored).length - stale.length
      if (stale.length > 0) await rewrapEntry(access, String(tenant._id), entry.name, stored, stale, result)
    }
    progress(++checked)
  }
  return result
}

async function rewrapEntry(
  access: Pick<AccessRuntime, 'tenancy' | 'secretBox'>,
  tenantId: string,
  plugin: string,
  stored: Record<string, string>,
  stale: string[],
  result: SecretsRewrapResult
): Promise<void> {
  const box = access.secretBox
  const next = { ...stored }
  const rewriting: string[] = []
  for (const name of stale) {
    try {
      // The stored text is JSON already: encrypted again as it is.
      next[name] = box.encrypt(box.decrypt(stored[name]))
      rewriting.push(name)
    } catch (error) {
      result.failed.push({ id: secretId(tenantId, plugin, name), reason: secretFailureReason(error) })
    }
  }
  if (rewriting.length === 0) return
  // The entry's secrets exactly as read; one set (positional paths per secret collide in the embedded
  // engine), and the revision bumped so that a reconfiguration that read before this write conflicts.
  const unchanged = Object.fromEntries(
    Object.entries(stored).map(([name, value]) => [`secretsEncrypted.${name}`, value])
  )
  const { matchedCount } = await access.tenancy.Tenant.updateOne(
    { _id: tenantId, enabledPlugins: trusted({ $elemMatch: { name: plugin, ...unchanged } }) },
    { $set: { 'enabledPlugins.$.secretsEncrypted': next }, $inc: { revision: 1 } }
  ).exec()
  if (matchedCount === 1) {
    result.rewritten += rewriting.length
    return
  }
  // Written meanwhile (reconfigured, or another pass): what matters is what is stored now.
  const now = await access.tenancy.Tenant.findById(tenantId, { enabledPlugins: 1 }).lean().exec()
  const current = now?.enabledPlugins?.find((candidate) => candidate.name === plugin)?.secretsEncrypted ?? {}
  for (const name of rewriting) {
    if (current[name] === undefined || box.isCurrentUnbound(current[name])) result.current++
    else result.failed.push({ id: secretId(tenantId, plugin, name), reason: 'CHANGED_DURING_REWRAP' })
  }
}

const secretId = (tenantId: string, plugin: string, name: string) =>
  `tenant ${tenantId} plugin ${plugin} secret ${name}`
