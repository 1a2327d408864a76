/* eslint-disable */
// Verbatim from the guide (shared/seeds/004, "Complete Examples" and the files app.js requires); bench glue lines say so.
// middleware/errorHandler.js
const errorHandler = (err, req, res, next) => {
  console.error('Unhandled error:', err);

  // Default error response
  let statusCode = 500;
  let errorCode = 'SERVER_ERROR';
  let message = 'Internal server error';

  // Handle specific error types
  if (err.name === 'ValidationError') {
    statusCode = 400;
    errorCode = 'VALIDATION_ERROR';
    message = err.message;
  } else if (err.name === 'UnauthorizedError') {
    statusCode = 401;
    errorCode = 'AUTH_ERROR';
    message = 'Authentication failed';
  } else if (err.code === 'ECONNREFUSED') {
    statusCode = 503;
    errorCode = 'DATABASE_ERROR';
    message = 'Database connection failed';
  }

  res.status(statusCode).json({
    success: false,
    error: message,
    code: errorCode,
    ...(process.env.NODE_ENV === 'development' && { stack: err.stack })
  });
};

module.exports = errorHandler;
