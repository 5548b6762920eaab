// Preloaded (`node -r`) into cognito-local by local/emulators.ts: `GET /__local/start-token` answers this start's
// LOCAL_START_TOKEN, so the stack knows the emulator answering on its port is the one it started (not another stack's).
'use strict';
const http = require('http');

const token = process.env.LOCAL_START_TOKEN;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, request, response) {
  if (token && event === 'request' && request.url === '/__local/start-token') {
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end(token);
    return true;
  }
  return emit.apply(this, arguments);
};
