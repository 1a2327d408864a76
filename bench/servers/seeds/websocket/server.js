/* eslint-disable */
// Verbatim from the guide (shared/seeds/004, "Complete Examples" and the files app.js requires); bench glue lines say so.
// websocket/server.js
const WebSocket = require('ws');
const url = require('url');
const crypto = require('crypto'); // bench glue: the guide uses crypto.randomBytes here without requiring it (Node's global crypto has no randomBytes)
const redisClient = require('../redis');

class WebSocketServer {
  constructor(options = {}) {
    this.port = options.port || 8080;
    this.wss = new WebSocket.Server({ 
      port: this.port,
      verifyClient: this.verifyClient.bind(this)
    });
    
    this.setupEventHandlers();
    console.log(`WebSocket server listening on port ${this.port}`);
  }

  // Optional: Additional connection verification
  verifyClient(info) {
    // You can add additional checks here (IP whitelist, etc.)
    return true;
  }

  setupEventHandlers() {
    this.wss.on('connection', (ws, req) => {
      // Initialize connection state
      ws.authenticated = false;
      ws.userId = null;
      ws.sessionId = this.generateSessionId();
      ws.connectedAt = new Date();

      console.log(`New WebSocket connection: ${ws.sessionId}`);

      // Set connection timeout for authentication
      const authTimeout = setTimeout(() => {
        if (!ws.authenticated) {
          console.log(`Authentication timeout for session ${ws.sessionId}`);
          ws.close(4001, 'Authentication timeout');
        }
      }, 30000); // 30 seconds to authenticate

      ws.on('message', async (message) => {
        try {
          await this.handleMessage(ws, message, authTimeout);
        } catch (error) {
          console.error('Error handling message:', error);
          this.sendError(ws, 'Message processing error', 'MESSAGE_ERROR');
        }
      });

      ws.on('close', (code, reason) => {
        clearTimeout(authTimeout);
        console.log(`WebSocket connection closed: ${ws.sessionId}, code: ${code}, reason: ${reason}`);
      });

      ws.on('error', (error) => {
        clearTimeout(authTimeout);
        console.error(`WebSocket error for session ${ws.sessionId}:`, error);
      });

      // Send connection acknowledgment
      this.sendMessage(ws, {
        type: 'connection_established',
        sessionId: ws.sessionId,
        timestamp: ws.connectedAt.toISOString()
      });
    });
  }

  async handleMessage(ws, message, authTimeout) {
    const data = JSON.parse(message.toString());

    // Handle authentication first
    if (data.type === 'ticket_authenticate') {
      await this.handleAuthentication(ws, data, authTimeout);
      return;
    }

    // Check if authenticated for other message types
    if (!ws.authenticated) {
      this.sendError(ws, 'Authentication required', 'AUTH_REQUIRED');
      return;
    }

    // Handle other message types
    switch (data.type) {
      case 'chat_message':
        await this.handleChatMessage(ws, data);
        break;
      case 'configure_tools':
        await this.handleConfigureTools(ws, data);
        break;
      case 'heartbeat_ping':
        this.handleHeartbeat(ws, data);
        break;
      default:
        this.sendError(ws, 'Unknown message type', 'UNKNOWN_MESSAGE_TYPE');
    }
  }

  async handleAuthentication(ws, data, authTimeout) {
    try {
      const { ticket, clientInfo } = data;

      if (!ticket) {
        this.sendError(ws, 'Missing ticket in authentication message', 'TICKET_MISSING');
        return;
      }

      // Validate ticket format
      if (!ticket.startsWith('ws_ticket_')) {
        this.sendError(ws, 'Invalid ticket format', 'TICKET_INVALID');
        return;
      }

      // Retrieve ticket from Redis
      const redisKey = `ticket:${ticket}`;
      const ticketDataStr = await redisClient.get(redisKey);

      if (!ticketDataStr) {
        this.sendError(ws, 'Invalid or expired ticket', 'TICKET_INVALID');
        return;
      }

      const ticketData = JSON.parse(ticketDataStr);

      // Validate ticket hasn't been used (optional: single-use tickets)
      if (ticketData.used) {
        this.sendError(ws, 'Ticket already used', 'TICKET_USED');
        return;
      }

      // Validate expiration
      const expiresAt = new Date(ticketData.expiresAt);
      if (Date.now() >= expiresAt.getTime()) {
        // Clean up expired ticket
        await redisClient.del(redisKey);
        this.sendError(ws, 'Ticket has expired', 'TICKET_EXPIRED');
        return;
      }

      // Optional: Validate client IP (for extra security)
      // const clientIP = ws._socket.remoteAddress;
      // if (ticketData.clientIP !== clientIP) {
      //   this.sendError(ws, 'IP address mismatch', 'IP_MISMATCH');
      //   return;
      // }

      // Mark ticket as used (optional: single-use)
      await redisClient.del(redisKey);

      // Authentication successful
      clearTimeout(authTimeout);
      ws.authenticated = true;
      ws.userId = ticketData.userId;
      ws.entityId = ticketData.entityId;
      ws.entityType = ticketData.entityType;
      ws.chatServerKey = ticketData.chatServerKey;

      // Store session in Redis (optional: for cross-server session sharing)
      const sessionData = {
        sessionId: ws.sessionId,
        userId: ticketData.userId,
        entityId: ticketData.entityId,
        entityType: ticketData.entityType,
        chatServerKey: ticketData.chatServerKey,
        authenticatedAt: new Date().toISOString()
      };
      
      await redisClient.setex(`session:${ws.sessionId}`, 86400, JSON.stringify(sessionData)); // 24h TTL

      console.log(`WebSocket authentication successful for user ${ws.userId}, session ${ws.sessionId}`);

      // Send success response
      this.sendMessage(ws, {
        type: 'authentication_success',
        sessionId: ws.sessionId,
        user: {
          userId: ticketData.userId,
          entityId: ticketData.entityId,
          entityType: ticketData.entityType
        },
        timestamp: new Date().toISOString()
      });

    } catch (error) {
      console.error('Authentication error:', error);
      this.sendError(ws, 'Authentication failed', 'AUTH_ERROR');
    }
  }

  async handleChatMessage(ws, data) {
    // Process chat message
    console.log(`Chat message from ${ws.userId}:`, data.content);
    
    // Here you would integrate with your AI/chat processing logic
    // For now, just echo back
    this.sendMessage(ws, {
      type: 'chat_response',
      content: `Echo: ${data.content}`,
      timestamp: new Date().toISOString()
    });
  }

  async handleConfigureTools(ws, data) {
    // Handle tool configuration
    console.log(`Tools configured for ${ws.userId}:`, data.toolSchemas?.length || 0, 'tools');
    
    this.sendMessage(ws, {
      type: 'tools_configured',
      toolCount: data.toolSchemas?.length || 0,
      timestamp: new Date().toISOString()
    });
  }

  handleHeartbeat(ws, data) {
    // Respond to heartbeat
    this.sendMessage(ws, {
      type: 'heartbeat_pong',
      timestamp: new Date().toISOString(),
      originalTimestamp: data.timestamp,
      pingTime: data.pingTime
    });
  }

  sendMessage(ws, message) {
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(message));
    }
  }

  sendError(ws, error, code) {
    this.sendMessage(ws, {
      type: 'authentication_error', // or 'error' for general errors
      error,
      code,
      timestamp: new Date().toISOString()
    });
  }

  generateSessionId() {
    return `session_${crypto.randomBytes(16).toString('hex')}`;
  }
}

module.exports = WebSocketServer;
