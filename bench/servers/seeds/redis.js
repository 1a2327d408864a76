/* eslint-disable */
// Verbatim from the guide (shared/seeds/004, "Complete Examples" and the files app.js requires); bench glue lines say so.
// redis.js
// bench glue: the guide mixes node-redis v3 options and lowercase methods (setex) with v4's awaited replies;
// no node-redis release runs it as written, ioredis takes exactly these calls. The key prefix isolates bench runs.
const redis = { createClient: (options) => new (require('ioredis').Redis)({ ...options, keyPrefix: process.env.BENCH_KEY_PREFIX }) };

const redisClient = redis.createClient({
  host: process.env.REDIS_HOST || 'localhost',
  port: process.env.REDIS_PORT || 6379,
  password: process.env.REDIS_PASSWORD,
  // Optional: Redis Cluster support
  // cluster: {
  //   nodes: [{ host: 'redis1', port: 6379 }, { host: 'redis2', port: 6379 }]
  // }
});

redisClient.on('error', (err) => {
  console.error('Redis connection error:', err);
});

redisClient.on('connect', () => {
  console.log('Connected to Redis');
});

module.exports = redisClient;
