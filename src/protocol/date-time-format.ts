import { FormatRegistry } from '@sinclair/typebox'

// TypeBox's compiler knows no formats by itself; frames use the same ISO 8601 rule as the HTTP schemas.
// A global registration: importing this module (the checkers do) is what installs it.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i
FormatRegistry.Set('date-time', value => ISO_8601.test(value) && !Number.isNaN(Date.parse(value)))
