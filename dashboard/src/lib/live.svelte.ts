// The browser's live connection (Feathers over Socket.io) shared through Svelte context: pages and plugin
// widgets read `live.client` and subscribe to service events; undefined during SSR and before connecting.

import type { MasterstageClient } from '@masterstage/core/client'
import { getContext, setContext } from 'svelte'
import { clientMethods } from '$registry'

const KEY = Symbol('masterstage-live')

export class LiveConnection {
  client = $state<MasterstageClient | undefined>(undefined)
  status = $state<'connecting' | 'live' | 'offline'>('connecting')
}

export function provideLive(): LiveConnection {
  return setContext(KEY, new LiveConnection())
}

export function useLive(): LiveConnection {
  return getContext<LiveConnection>(KEY)
}

/** Opens the socket (browser only), authenticates it, and keeps `live` up to date. Returns a closer. */
export async function connectLive(
  live: LiveConnection,
  options: { apiUrl: string; accessToken: string; tenant: string }
): Promise<() => void> {
  const { createSocketClient } = await import('@masterstage/core/client/socket-client.ts')
  // Plugin services' custom methods (`pipeline/leads` move) exist on the client only when declared.
  const connection = createSocketClient({ ...options, customMethods: clientMethods })
  connection.socket.on('disconnect', () => (live.status = 'offline'))
  // "Live" only once the client is usable: the first connect still has to authenticate (see `ready`).
  connection.socket.on('connect', () => {
    if (live.client) live.status = 'live'
  })
  connection.ready.then(
    () => {
      live.client = connection.client
      live.status = 'live'
    },
    () => (live.status = 'offline')
  )
  return () => connection.close()
}
