// The dashboard's clients learn plugin services' custom methods from the generated UI registry (built from
// the installed plugins' manifests, as `npm run ui:registry` does): it must list them, e.g. the board's
// `pipeline/leads` move, and a client given them must be able to call them.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRestClient } from '@masterstage/core/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discoverPlugins } from '../../core/src/plugins/discover-plugins.ts'
import { generateUiRegistry } from '../../core/src/plugins/generate-ui-registry.ts'

const PLUGINS = join(import.meta.dirname, '..', '..', 'plugins')
let outDir = ''
let clientMethods: Record<string, readonly string[]> = {}

beforeAll(async () => {
  // Generated afresh: the committed tree does not hold the generated file (builds write it).
  outDir = await mkdtemp(join(tmpdir(), 'ms-registry-test-'))
  const { outFile } = await generateUiRegistry(await discoverPlugins(PLUGINS), join(outDir, 'registry.ts'))
  clientMethods = (await import(pathToFileURL(outFile).href)).clientMethods
})

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true })
})

describe('plugin custom methods for the dashboard clients', () => {
  it('lists each plugin service’s non-standard methods by path', () => {
    expect(clientMethods['pipeline/leads']).toEqual(['move'])
    expect(clientMethods['payments/invoices']).toEqual(['resend'])
    expect(Object.values(clientMethods).flat()).not.toContain('find')
  })

  it('gives a REST client the custom methods, sent as the method header', async () => {
    const calls: { url: string; method?: string; headers: Headers }[] = []
    const fetchStub = (async (url: string, init: RequestInit) => {
      calls.push({ url, method: init.method, headers: new Headers(init.headers) })
      return new Response('{"_id":"l1","status":"LOST"}', {
        status: 200,
        headers: { 'content-type': 'application/json' }
      })
    }) as unknown as typeof fetch
    const client = createRestClient({
      apiUrl: 'http://api.test',
      fetch: fetchStub,
      customMethods: clientMethods
    })
    const leads = (client as any).service('pipeline/leads')
    expect(await leads.move({ leadId: 'l1', to: 'LOST' })).toEqual({ _id: 'l1', status: 'LOST' })
    expect(calls[0].url).toBe('http://api.test/pipeline/leads')
    expect(calls[0].headers.get('x-service-method')).toBe('move')
  })
})
