import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

/** OpenAPI 3 document at /docs/json, generated from the route schemas, and Swagger UI at /docs. */
export default fp(async (fastify) => {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'WebSocket ticket authentication',
        description: 'Short-lived, single-use tickets for authenticating WebSocket connections. ' +
          'The `/ws` message protocol is described in the README and PROTOCOL.md.',
        version: '0.1.0'
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          chatServerKey: { type: 'apiKey', in: 'header', name: 'X-Chat-Server-Key' }
        }
      },
      tags: [
        { name: 'tickets', description: 'Issue WebSocket tickets' },
        { name: 'sessions', description: "The caller's authenticated WebSocket sessions" },
        { name: 'service', description: 'Health and operations' }
      ]
    }
  })
  await fastify.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
}, { name: 'docs', fastify: '5.x' })
