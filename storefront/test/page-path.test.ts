// Plugin page paths match on the params SvelteKit already decoded: no second decoding, so a literal `%`
// (sent as %25) is a value like any other instead of a malformed escape that failed the page with a 500.
import { describe, expect, it } from 'vitest'
import { matchPagePath } from '../src/lib/plugins/page-path.ts'

describe('plugin page path matching', () => {
  it('reads dynamic segments and compares static ones', () => {
    expect(matchPagePath('masterclasses/[id]', 'masterclasses/abc')).toEqual({ id: 'abc' })
    expect(matchPagePath('/masterclasses/[id]/', '/masterclasses/abc/')).toEqual({ id: 'abc' })
    expect(matchPagePath('masterclasses/[id]', 'calls/abc')).toBeNull()
    expect(matchPagePath('masterclasses/[id]', 'masterclasses/abc/more')).toBeNull()
    expect(matchPagePath('masterclasses/[id]', 'masterclasses')).toBeNull()
  })

  it('does not decode the already decoded path again', () => {
    // `/masterclasses/%25zz` arrives as `masterclasses/%zz`, `/masterclasses/%2541` as `masterclasses/%41`.
    expect(matchPagePath('masterclasses/[id]', 'masterclasses/%zz')).toEqual({ id: '%zz' })
    expect(matchPagePath('masterclasses/[id]', 'masterclasses/%41')).toEqual({ id: '%41' })
    expect(matchPagePath('masterclasses/[id]', 'masterclasses/%')).toEqual({ id: '%' })
  })
})
