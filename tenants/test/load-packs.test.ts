// Brand packs: the shipped demo is valid and distinct; broken packs fail with the file and field named.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_DEMO_USERS_FILE, DEFAULT_PACKS_DIR, loadPacks } from '../src/load-packs.ts'
import { PackValidationError } from '../src/pack-validator.ts'

function problemsOf(fn: () => unknown) {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(PackValidationError)
    return (error as PackValidationError).problems
  }
  throw new Error('expected loadPacks to reject the packs')
}

describe('demo packs', () => {
  it('load one agency with two differently branded tenants and users for every role', () => {
    const { agencies, users } = loadPacks()
    expect(agencies.map((a) => a.pack.slug)).toEqual(['northstar-talent'])
    const [ava, marco] = agencies[0].tenants
    expect([ava.pack.slug, marco.pack.slug]).toEqual(['ava-fit', 'money-marco'])
    expect(ava.pack.theme.colors.primary).not.toBe(marco.pack.theme.colors.primary)
    expect(ava.pack.theme.fonts.heading).not.toBe(marco.pack.theme.fonts.heading)
    expect(ava.logoSvg).toContain('<svg')
    expect(new Set(users.map((u) => u.role))).toEqual(
      new Set(['platform_admin', 'agency_admin', 'host', 'sales_rep', 'attendee'])
    )
    const reps = users.filter((u) => u.role === 'sales_rep')
    expect(reps).toHaveLength(2)
    expect(reps[0].tenants).not.toEqual(reps[1].tenants)
  })
})

describe('invalid packs', () => {
  let root: string
  let packsDir: string
  let usersFile: string
  const tenantFile = () => join(packsDir, 'northstar-talent', 'ava-fit', 'tenant.json')
  const editJson = (path: string, edit: (data: any) => void) => {
    const data = JSON.parse(readFileSync(path, 'utf8'))
    edit(data)
    writeFileSync(path, JSON.stringify(data))
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'packs-'))
    packsDir = join(root, 'packs')
    usersFile = join(root, 'users.json')
    cpSync(DEFAULT_PACKS_DIR, packsDir, { recursive: true })
    cpSync(DEFAULT_DEMO_USERS_FILE, usersFile)
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('names the file and every bad field', () => {
    editJson(tenantFile(), (t) => {
      t.theme.colors.primary = 'pink'
      delete t.copy.headline
      t.surprise = true
    })
    const problems = problemsOf(() => loadPacks({ packsDir, usersFile }))
    const file = join('packs', 'northstar-talent', 'ava-fit', 'tenant.json')
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file, field: 'theme.colors.primary' }),
        expect.objectContaining({ file, field: 'copy.headline', message: 'is required' }),
        expect.objectContaining({ file, field: 'surprise', message: 'is not a known field' })
      ])
    )
    expect(problems).toHaveLength(3)
  })

  it('reports malformed JSON with the file name', () => {
    writeFileSync(tenantFile(), '{ "slug": ')
    const problems = problemsOf(() => loadPacks({ packsDir, usersFile }))
    expect(problems[0].file).toBe(join('packs', 'northstar-talent', 'ava-fit', 'tenant.json'))
    expect(problems[0].message).toMatch(/not valid JSON/)
  })

  it('requires the folder name to equal the slug and the logo to exist', () => {
    editJson(tenantFile(), (t) => {
      t.slug = 'ava-fitness'
      t.theme.logo = 'missing.svg'
    })
    const problems = problemsOf(() => loadPacks({ packsDir, usersFile }))
    expect(problems.map((p) => p.field).sort()).toEqual(['slug', 'theme.logo'])
  })

  it('rejects a custom domain used by two tenants', () => {
    editJson(tenantFile(), (t) => {
      t.domains = ['learn.moneymarco.example']
    })
    const problems = problemsOf(() => loadPacks({ packsDir, usersFile }))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      file: join('packs', 'northstar-talent', 'money-marco', 'tenant.json'),
      field: 'domains.0'
    })
    expect(problems[0].message).toContain(join('ava-fit', 'tenant.json'))
  })

  it('rejects users pointing at unknown agencies or tenants, or tenant roles without a tenant', () => {
    editJson(usersFile, (u) => {
      u.users[2].tenants = ['no-such-tenant']
      u.users[3].agency = 'ghost-agency'
      delete u.users[4].tenants
    })
    const problems = problemsOf(() => loadPacks({ packsDir, usersFile }))
    expect(problems.map((p) => p.field).sort()).toEqual([
      'users.2.tenants.0',
      'users.3.agency',
      'users.4.tenants'
    ])
  })

  it('skips users when no users file is given', () => {
    expect(loadPacks({ packsDir, usersFile: null }).users).toEqual([])
  })
})
