/* eslint-disable */
// Verbatim from the guide (shared/seeds/004, "Complete Examples" and the files app.js requires); bench glue lines say so.
// routes/websocket.js
const express = require('express');
const crypto = require('crypto');
const redisClient = require('../redis');
const { authenticateUser, validateChatServerKey } = require('../middleware/auth');
const rateLimitMiddleware = require('../middleware/rateLimiter');

const router = express.Router();

// POST /api/websocket/ticket
router.post('/ticket', 
  authenticateUser,           // Validate JWT token
  validateChatServerKey,      // Validate server key
  rateLimitMiddleware,        // Rate limiting
  async (req, res) => {
    try {
      const { userId, entityId, entityType, providerResId, clientInfo } = req.body;
      
      // Validate required fields
      if (!userId) {
        return res.status(400).json({
          success: false,
          error: 'userId is required',
          code: 'VALIDATION_ERROR'
        });
      }

      // Verify userId matches authenticated user
      if (req.user.userId !== userId) {
        return res.status(403).json({
          success: false,
          error: 'userId mismatch with authenticated user',
          code: 'USER_MISMATCH'
        });
      }

      // Generate cryptographically secure ticket
      const ticketId = crypto.randomBytes(32).toString('hex');
      const ticket = `ws_ticket_${ticketId}`;
      
      // Set expiration (2 hours from now)
      const expiresAt = new Date(Date.now() + 2 * 60 * 60 * 1000);
      
      // Prepare ticket data
      const ticketData = {
        id: ticket,
        userId,
        entityId: entityId || null,
        entityType: entityType || null,
        providerResId: providerResId || null,
        chatServerKey: req.chatServerKey,
        clientIP: req.ip || req.connection.remoteAddress,
        userAgent: clientInfo?.userAgent || req.get('User-Agent'),
        createdAt: new Date().toISOString(),
        expiresAt: expiresAt.toISOString(),
        used: false
      };

      // Store in Redis with TTL (2 hours = 7200 seconds)
      const redisKey = `ticket:${ticket}`;
      await redisClient.setex(redisKey, 7200, JSON.stringify(ticketData));

      // Log ticket generation for monitoring
      console.log(`WebSocket ticket generated for user ${userId}, expires at ${expiresAt.toISOString()}`);

      // Return ticket to client
      res.json({
        success: true,
        ticket,
        expiresAt: expiresAt.toISOString()
      });

    } catch (error) {
      console.error('Error generating WebSocket ticket:', error);
      res.status(500).json({
        success: false,
        error: 'Failed to generate WebSocket ticket',
        code: 'TICKET_GENERATION_ERROR'
      });
    }
  }
);

module.exports = router;
