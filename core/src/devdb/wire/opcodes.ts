// Wire protocol opcodes and limits this server understands.
export const OpCode = {
  REPLY: 1,
  QUERY: 2004,
  COMPRESSED: 2012,
  MSG: 2013
} as const

export const HEADER_SIZE = 16
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024
export const MAX_MESSAGE_SIZE = 48_000_000
export const MAX_WRITE_BATCH_SIZE = 100_000
