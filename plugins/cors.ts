import fp from 'fastify-plugin'
import cors from '@fastify/cors'

/** CORS for the configured origins, exposing the rate-limit headers a browser client reads. */
export default fp(async (fastify) => {
  await fastify.register(cors, {
    origin: fastify.config.allowedOrigins,
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Chat-Server-Key'],
    exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    maxAge: 600
  })
}, { name: 'cors', dependencies: ['config'], fastify: '5.x' })
