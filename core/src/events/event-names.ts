// Naming rules for events and handlers, checked when emitting and subscribing.
import { type FieldError, validationError } from '../errors/codes.ts'

/** `<entity>.<past-tense>` or `<plugin>.<entity>.<past-tense>`: lower-case segments joined by dots. */
const EVENT_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/
/** Handler names key delivery records (`<eventId>:<handler>`), so they never contain ':'. */
const HANDLER_NAME = /^[a-z0-9][a-z0-9._-]*$/i
const MAX_EVENT_ID_LENGTH = 200

export function assertEventName(name: unknown): void {
  if (typeof name !== 'string' || !EVENT_NAME.test(name)) {
    throw validationError('Invalid event name', [
      { path: 'name', message: 'must be dot-separated lower-case segments, e.g. lead.created' }
    ])
  }
}

export function assertHandlerName(name: unknown): void {
  if (typeof name !== 'string' || !HANDLER_NAME.test(name)) {
    throw validationError('Invalid event handler name', [
      { path: 'handlerName', message: 'must be letters, digits, dots, dashes or underscores (no ":")' }
    ])
  }
}

export function assertEmitInput(name: unknown, payload: unknown, id: unknown): void {
  const errors: FieldError[] = []
  if (typeof name !== 'string' || !EVENT_NAME.test(name)) {
    errors.push({ path: 'name', message: 'must be dot-separated lower-case segments, e.g. lead.created' })
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    errors.push({ path: 'payload', message: 'must be an object' })
  }
  if (id !== undefined && (typeof id !== 'string' || id === '' || id.length > MAX_EVENT_ID_LENGTH)) {
    errors.push({
      path: 'id',
      message: `must be a non-empty string of at most ${MAX_EVENT_ID_LENGTH} characters`
    })
  }
  if (errors.length) throw validationError('Invalid domain event', errors)
}
