import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**'] }),
  // `void promise` marks a deliberately unawaited promise (its errors are handled inside).
  { rules: { 'no-void': ['error', { allowAsStatement: true }] } }
]
