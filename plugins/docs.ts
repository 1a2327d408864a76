import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { asyncApiDocument } from '../src/protocol/asyncapi.js'

const API_VERSION = '0.1.0'

/** OpenAPI 3 document at /docs/json and AsyncAPI 3 of /ws at /docs/asyncapi.json, both generated from the schemas; Swagger UI at /docs. */
export default fp(async (fastify) => {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'WebSocket ticket authentication',
        description: 'Short-lived, single-use tickets for authenticating WebSocket connections. ' +
          'The `/ws` message protocol is described by the AsyncAPI 3 document at [/docs/asyncapi.json](/docs/asyncapi.json).',
        version: API_VERSION
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          chatServerKey: { type: 'apiKey', in: 'header', name: 'X-Chat-Server-Key' },
          backendApiKey: { type: 'http', scheme: 'bearer', description: 'A key of BACKEND_API_KEYS' }
        }
      },
      tags: [
        { name: 'tickets', description: 'Issue WebSocket tickets' },
        { name: 'sessions', description: "The caller's authenticated WebSocket sessions" },
        { name: 'backend', description: 'Backend API (server to server, BACKEND_API_KEYS): any user\'s sessions, on every instance' },
        { name: 'websocket', description: 'The WebSocket endpoint (its messages: /docs/asyncapi.json)' },
        { name: 'service', description: 'Health and operations' }
      ]
    }
  })
  await fastify.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  const asyncApi = asyncApiDocument({ version: API_VERSION, host: `localhost:${fastify.config.port}` })
  fastify.get('/docs/asyncapi.json', { schema: { hide: true } }, async () => asyncApi)
}, { name: 'docs', dependencies: ['config'], fastify: '5.x' })
