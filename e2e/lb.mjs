// A round-robin load balancer for the e2e run with several instances (scripts/e2e.sh,
// REEL_E2E_INSTANCES): every request goes to the next instance in turn, so a tus upload's
// PATCHes land on different instances, like behind nginx or HAProxy with no stickiness.
// Usage: node lb.mjs PORT UPSTREAM_PORT...
import http from 'node:http';

const [port, ...upstreams] = process.argv.slice(2).map(Number);
// A kept-alive connection is let go after 30 s idle, before the instance's own keep-alive
// timeout (75 s, backend/src/startup.rs) closes it: a request sent on a connection the instance
// is closing at that moment fails, and a POST cannot be sent again (its body is gone). Real
// balancers need the same order (nginx's upstream keepalive_timeout, an ALB's idle timeout).
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 30_000 });
let next = 0;

/** Requests without a body can be sent again when a pooled connection turns out dead. */
const RESENDABLE = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

function forward(req, res, attempt) {
  const target = upstreams[next++ % upstreams.length];
  const upstream = http.request(
    {
      host: '127.0.0.1',
      port: target,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress },
      agent,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    // A kept-alive connection the instance closed just as it was reused (its idle timeout):
    // nothing reached the instance, so send it once more on a new connection, as nginx does.
    if (upstream.reusedSocket && attempt === 0 && RESENDABLE.has(req.method) && !res.headersSent &&
      (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
      forward(req, res, 1);
      return;
    }
    if (res.headersSent || res.destroyed) {
      res.end();
      return;
    }
    console.log(`lb: 502 for ${req.method} ${req.url.split('?')[0]} to ${target}: ${err.code ?? err.message}${upstream.reusedSocket ? ' (a reused connection)' : ''}`);
    res.writeHead(502);
    res.end();
  });
  // A client that goes away mid-body (an aborted upload) is passed on as an abort.
  req.on('aborted', () => upstream.destroy());
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  if (RESENDABLE.has(req.method)) upstream.end();
  else req.pipe(upstream);
}

http
  .createServer((req, res) => forward(req, res, 0))
  .listen(port, '127.0.0.1', () => console.log(`lb: ${port} -> ${upstreams.join(', ')}`));
