import { FormatRegistry } from '@sinclair/typebox'

// A global registration, installed by importing this module (the checkers do): TypeBox knows no formats by itself.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i
FormatRegistry.Set('date-time', value => ISO_8601.test(value) && !Number.isNaN(Date.parse(value)))
