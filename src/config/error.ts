/** A configuration that must stop the start; its message names the variable at fault. */
export class ConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
