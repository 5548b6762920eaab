// Preloaded into the cognito-local process only (through NODE_OPTIONS, which the local stack passes on to the
// emulator it spawns): counts every HTTP request that reaches the Cognito emulator, by API action (x-amz-target)
// or by path for GETs (the JWKS), and answers `GET /__bench/cognito-calls` with the counts (that request is not
// counted). Inert in any other process.
'use strict';
if (/cognito-local[\\/]/.test(process.argv[1] || '')) {
  const http = require('http');
  const counts = {};
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, req, res) {
    if (event === 'request') {
      if (req.url === '/__bench/cognito-calls') {
        const body = JSON.stringify(counts);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return true;
      }
      const target = req.headers['x-amz-target'];
      const key = target
        ? String(target).split('.').pop()
        : `${req.method} ${req.url.replace(/^\/[^/]+\/\.well-known/, '/<pool>/.well-known')}`;
      counts[key] = (counts[key] || 0) + 1;
    }
    return emit.apply(this, arguments);
  };
}
