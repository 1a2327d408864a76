import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { TSchema } from '@sinclair/typebox'
import './date-time-format.js'

export function compileChecker<T extends TSchema> (schema: T): TypeCheck<T> {
  return TypeCompiler.Compile(schema)
}

/** As `path message`, for INVALID_MESSAGE texts. */
export function firstError (check: TypeCheck<TSchema>, value: unknown): string {
  const error = check.Errors(value).First()
  /* c8 ignore next -- only called after Check() failed, so an error exists */
  if (error === undefined) return 'invalid message'
  return `${error.path} ${error.message}`
}
