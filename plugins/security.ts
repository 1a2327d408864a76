// Transitional: routes/ws.ts (recut-ws's file) still imports sendError from here; removed when recut-ws merges.
export { sendError } from '../src/http/envelope.js'
