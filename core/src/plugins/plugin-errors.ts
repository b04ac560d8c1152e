// Boot-time plugin problems (invalid manifest, missing dependency, cycle): code PLUGIN_INVALID, naming
// the plugin and the field so the operator can fix the right file.
import { GeneralError } from '@feathersjs/errors'
import { ErrorCode, type FieldError } from '../errors/codes.ts'

export class PluginInvalidError extends GeneralError {
  constructor(message: string, details: { plugin?: string; errors?: FieldError[] } = {}) {
    super(message, { code: ErrorCode.PLUGIN_INVALID, plugin: details.plugin, errors: details.errors ?? [] })
    this.name = 'PluginInvalidError'
  }
}
