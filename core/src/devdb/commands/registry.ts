// Every command the server knows, by name.
import { aggregateCommands } from './aggregate.ts'
import { collectionCommands } from './collections.ts'
import type { CommandSpec } from './context.ts'
import { countCommands } from './count-distinct.ts'
import { deleteCommands } from './delete.ts'
import { explainCommands } from './explain.ts'
import { findCommands } from './find.ts'
import { findAndModifyCommands } from './find-and-modify.ts'
import { handshakeCommands } from './handshake.ts'
import { indexCommands } from './indexes.ts'
import { insertCommands } from './insert.ts'
import { sessionCommands } from './sessions.ts'
import { updateCommands } from './update.ts'

export const commands: Record<string, CommandSpec> = {
  ...handshakeCommands,
  ...insertCommands,
  ...updateCommands,
  ...deleteCommands,
  ...findCommands,
  ...findAndModifyCommands,
  ...countCommands,
  ...aggregateCommands,
  ...indexCommands,
  ...collectionCommands,
  ...sessionCommands,
  ...explainCommands
}

// Fields every command may carry (driver/session/transport envelope).
export const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  '$clusterTime',
  'readConcern',
  'writeConcern',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'comment',
  'maxTimeMS',
  '$readPreference',
  'readPreference',
  '$client'
])
