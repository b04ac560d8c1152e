// Connection handshake and server-info commands: hello/isMaster, ping, buildInfo, getParameter and friends.
import { Binary, BSON, type Document, Long, ObjectId, Timestamp } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE, MAX_WRITE_BATCH_SIZE } from '../wire/opcodes.ts'
import type { CommandContext, CommandSpec } from './context.ts'

export const SERVER_VERSION = '7.0.0'
export const MAX_WIRE_VERSION = 21
export const SET_NAME = 'devdb'
const ELECTION_ID = new ObjectId('7fffffff0000000000000001')

// Unsigned cluster time (no auth): the driver gossips it back; a zero signature is what mongod sends without keys.
const SIGNATURE = { hash: new Binary(Buffer.alloc(20)), keyId: Long.ZERO }
let lastSecond = 0
let lastTimestamp = Timestamp.fromBits(1, 0)

let trailerSecond = -1
let trailer = Buffer.alloc(0)

// The reply fields `$clusterTime` and `operationTime` as BSON element bytes, built once per second.
export function clusterTimeElements(): Buffer {
  const second = Math.floor(Date.now() / 1000)
  if (second !== trailerSecond) {
    const ct = clusterTime()
    const doc = BSON.serialize({ $clusterTime: ct, operationTime: ct.clusterTime })
    trailer = Buffer.from(doc.subarray(4, doc.length - 1))
    trailerSecond = second
  }
  return trailer
}

export function clusterTime(): Document {
  const second = Math.floor(Date.now() / 1000)
  if (second !== lastSecond) {
    lastSecond = second
    lastTimestamp = Timestamp.fromBits(1, second)
  }
  return { clusterTime: lastTimestamp, signature: SIGNATURE }
}

function hello(ctx: CommandContext): Document {
  const now = new Date()
  const opTime = { ts: Timestamp.fromBits(1, Math.floor(now.getTime() / 1000)), t: Long.fromNumber(1) }
  const legacy = ctx.name !== 'hello'
  return {
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    helloOk: true,
    topologyVersion: { processId: ctx.engine.processId, counter: Long.ZERO },
    hosts: [ctx.engine.address],
    setName: SET_NAME,
    setVersion: 1,
    secondary: false,
    primary: ctx.engine.address,
    me: ctx.engine.address,
    electionId: ELECTION_ID,
    lastWrite: { opTime, lastWriteDate: now, majorityOpTime: opTime, majorityWriteDate: now },
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: now,
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1
  }
}

const helloFields = [
  'helloOk',
  'client',
  'compression',
  'saslSupportedMechs',
  'speculativeAuthenticate',
  'loadBalanced',
  'topologyVersion',
  'maxAwaitTimeMS',
  'hostInfo',
  'forShell'
]

// Awaitable hello (streaming SDAM monitoring): the topology of this single node never changes, so like mongod we
// answer only after maxAwaitTimeMS. Answering at once would make the driver's monitor spin in a tight loop.
function helloMaybeAwait(ctx: CommandContext): Document | Promise<Document> {
  const awaited = ctx.cmd.topologyVersion as Document | undefined
  const maxAwait = Number(ctx.cmd.maxAwaitTimeMS ?? 0)
  const sameProcess = awaited && String(awaited.processId) === String(ctx.engine.processId)
  if (!sameProcess || !(maxAwait > 0)) return hello(ctx)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(hello(ctx)), Math.min(maxAwait, 10_000))
    timer.unref()
  })
}

const helloSpec: CommandSpec = { run: helloMaybeAwait, fields: helloFields, anyFields: true }

function buildInfo(): Document {
  return {
    version: SERVER_VERSION,
    gitVersion: 'devdb',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['devdb'],
    modules: [],
    ok: 1
  }
}

const parameters: Document = {
  featureCompatibilityVersion: { version: '7.0' },
  transactionLifetimeLimitSeconds: 60,
  maxTransactionLockRequestTimeoutMillis: 5,
  logicalSessionRefreshMillis: 300000
}

function getParameter(ctx: CommandContext): Document {
  const arg = ctx.cmd.getParameter
  if (arg === '*' || ctx.cmd.allParameters) return { ...parameters, ok: 1 }
  const out: Document = {}
  for (const key of Object.keys(ctx.cmd)) if (key in parameters) out[key] = parameters[key]
  if (Object.keys(out).length === 0) throw commandError(ErrorCodes.InvalidOptions, 'no option found to get')
  return { ...out, ok: 1 }
}

export const handshakeCommands: Record<string, CommandSpec> = {
  hello: helloSpec,
  isMaster: helloSpec,
  ismaster: helloSpec,
  ping: { run: () => ({ ok: 1 }), fields: [], inTransaction: true },
  buildInfo: { run: buildInfo, fields: [] },
  buildinfo: { run: buildInfo, fields: [] },
  getParameter: { run: getParameter, fields: ['allParameters', 'showDetails', ...Object.keys(parameters)] },
  getCmdLineOpts: { run: () => ({ argv: ['devdb'], parsed: {}, ok: 1 }), fields: [] },
  hostInfo: {
    run: () => ({
      system: { currentTime: new Date(), hostname: 'devdb', numCores: 1 },
      os: { type: process.platform },
      extra: {},
      ok: 1
    }),
    fields: []
  },
  whatsmyuri: { run: (ctx) => ({ you: `client:${ctx.connectionId}`, ok: 1 }), fields: [] },
  connectionStatus: {
    run: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
    fields: ['showPrivileges']
  },
  getLog: { run: () => ({ totalLinesWritten: 0, log: [], ok: 1 }), fields: [] },
  getFreeMonitoringStatus: { run: () => ({ state: 'disabled', ok: 1 }), fields: [] },
  serverStatus: {
    run: (ctx) => ({
      host: ctx.engine.address,
      version: SERVER_VERSION,
      process: 'devdb',
      pid: Long.fromNumber(process.pid),
      uptime: (Date.now() - ctx.engine.startedAt.getTime()) / 1000,
      localTime: new Date(),
      connections: { current: 0 },
      ok: 1
    }),
    fields: ['repl', 'metrics', 'locks', 'asserts', 'wiredTiger', 'tcmalloc']
  }
}
