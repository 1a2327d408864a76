/* eslint-disable */
// Verbatim from the guide (shared/seeds/004, "Complete Examples" and the files app.js requires); bench glue lines say so.
// utils/logger.js
const winston = require('winston');

const logger = winston.createLogger({
  level: process.env.LOG_LEVEL || 'info',
  format: winston.format.combine(
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
    winston.format.json()
  ),
  transports: [
    new winston.transports.File({ filename: 'logs/error.log', level: 'error' }),
    new winston.transports.File({ filename: 'logs/combined.log' }),
    ...(process.env.NODE_ENV !== 'production' ? [
      new winston.transports.Console({
        format: winston.format.simple()
      })
    ] : [])
  ]
});

// Log WebSocket events
const logWSEvent = (event, sessionId, userId, data = {}) => {
  logger.info('WebSocket Event', {
    event,
    sessionId,
    userId,
    timestamp: new Date().toISOString(),
    ...data
  });
};

module.exports = { logger, logWSEvent };
