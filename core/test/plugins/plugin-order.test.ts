// Dependency order of plugins: deterministic topological order, and boot stops on a missing dependency
// or a cycle with a message naming them.
import { describe, expect, it } from 'vitest'
import { orderPlugins } from '../../src/plugins/plugin-order.ts'

const plugin = (name: string, dependsOn: string[] = []) => ({ name, dependsOn })
const names = (list: { name: string }[]) => list.map((entry) => entry.name)

describe('plugin dependency order', () => {
  it('puts every plugin after its dependencies, alphabetically among independent ones', () => {
    const ordered = orderPlugins([
      plugin('payments', ['pipeline']),
      plugin('scheduling', ['pipeline', 'masterclasses']),
      plugin('pipeline'),
      plugin('analytics', ['payments', 'scheduling']),
      plugin('masterclasses')
    ])
    expect(names(ordered)).toEqual(['pipeline', 'payments', 'masterclasses', 'scheduling', 'analytics'])
  })

  it('is deterministic whatever the input order', () => {
    const list = [plugin('c', ['a']), plugin('b'), plugin('a'), plugin('d', ['b', 'c'])]
    const expected = names(orderPlugins(list))
    expect(names(orderPlugins([...list].reverse()))).toEqual(expected)
    expect(names(orderPlugins([list[2], list[0], list[3], list[1]]))).toEqual(expected)
    expect(expected).toEqual(['a', 'b', 'c', 'd'])
  })

  it('names the plugin and the missing dependency', () => {
    expect(() => orderPlugins([plugin('payments', ['pipeline']), plugin('masterclasses')])).toThrow(
      expect.objectContaining({
        message: 'Plugin "payments" depends on "pipeline", which is not installed',
        data: expect.objectContaining({ code: 'PLUGIN_INVALID', plugin: 'payments' })
      })
    )
  })

  it('names the whole cycle path', () => {
    expect(() =>
      orderPlugins([plugin('a', ['b']), plugin('b', ['c']), plugin('c', ['a']), plugin('d')])
    ).toThrow(
      expect.objectContaining({
        message: 'Plugin dependency cycle: a -> b -> c -> a',
        data: expect.objectContaining({ code: 'PLUGIN_INVALID' })
      })
    )
    expect(() => orderPlugins([plugin('x'), plugin('y', ['z']), plugin('z', ['y'])])).toThrow(
      'Plugin dependency cycle: y -> z -> y'
    )
  })

  it('refuses the same plugin twice', () => {
    expect(() => orderPlugins([plugin('a'), plugin('a')])).toThrow('Plugin "a" is installed twice')
  })
})
