/* eslint-disable */
// Verbatim from the guide (shared/seeds/004, "Complete Examples" and the files app.js requires); bench glue lines say so.
// middleware/rateLimiter.js
const { RateLimiterRedis } = require('rate-limiter-flexible');
const redisClient = require('../redis');

// Rate limiter: 10 ticket requests per minute per user
const ticketRateLimiter = new RateLimiterRedis({
  storeClient: redisClient,
  keyGenerator: (req) => `ticket_rate_${req.user.userId}`, // Rate limit per user
  points: Number(process.env.TICKET_RATE_LIMIT) || 10, // bench glue: raised like the service's limit, still counted on every request
  duration: 60, // Per 60 seconds
  blockDuration: 60, // Block for 60 seconds if limit exceeded
});

const rateLimitMiddleware = async (req, res, next) => {
  try {
    await ticketRateLimiter.consume(req);
    next();
  } catch (rateLimiterRes) {
    const remainingPoints = rateLimiterRes.remainingPoints || 0;
    const msBeforeNext = rateLimiterRes.msBeforeNext || 1000;

    res.set({
      'Retry-After': Math.round(msBeforeNext / 1000) || 1,
      'X-RateLimit-Limit': 10,
      'X-RateLimit-Remaining': remainingPoints,
      'X-RateLimit-Reset': new Date(Date.now() + msBeforeNext).toISOString(),
    });

    res.status(429).json({
      success: false,
      error: 'Too many ticket requests. Please try again later.',
      code: 'RATE_LIMITED'
    });
  }
};

module.exports = rateLimitMiddleware;
