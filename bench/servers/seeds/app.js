/* eslint-disable */
// Verbatim from the guide (shared/seeds/004, "Complete Examples" and the files app.js requires); bench glue lines say so.
// app.js
const express = require('express');
const redisClient = require('./redis');
const WebSocketServer = require('./websocket/server');
const websocketRoutes = require('./routes/websocket');
const securityMiddleware = require('./middleware/security');
const errorHandler = require('./middleware/errorHandler');
const { logger } = require('./utils/logger');

const app = express();

// Security middleware
app.use(securityMiddleware);

// Body parsing
app.use(express.json({ limit: '10mb' }));
app.use(express.urlencoded({ extended: true }));

// API routes
app.use('/api/websocket', websocketRoutes);

// Health check
app.get('/health', (req, res) => {
  res.json({ 
    status: 'healthy', 
    timestamp: new Date().toISOString() 
  });
});

// Error handling
app.use(errorHandler);

// Start HTTP server
const PORT = process.env.PORT || 3000;
app.listen(PORT, () => {
  logger.info(`HTTP server listening on port ${PORT}`);
});

// Start WebSocket server
const WS_PORT = process.env.WS_PORT || 8080;
new WebSocketServer({ port: WS_PORT });

// Graceful shutdown
process.on('SIGTERM', async () => {
  logger.info('Received SIGTERM, shutting down gracefully');
  await redisClient.quit();
  process.exit(0);
});

module.exports = app;
