import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { ConnectionLimits } from '../config.js';
import { counter } from '../core/metrics.js';
import { clientIpKey } from '../core/rate-limit.js';

const refusedConnections = counter('ingang_connections_refused_total', 'Connections closed at once because their client address already held the most allowed.');

/**
 * SECURITY 34: how long a client may take. Node checks the header and request deadlines every
 * `connectionsCheckingInterval`; a connection that trickles its headers or body past them gets a
 * 408 and is closed, one idle for `idleTimeoutMs` is closed without a word.
 */
export function timeoutOptions(limits: ConnectionLimits): Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'> & { http: ServerOptions } {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
  };
}

/**
 * SECURITY 34: no client address holds more than `max` open connections; one over is closed as
 * soon as it is accepted, before a byte is read, so slow connections from one client cannot use
 * up what others need. Counted by the address as rate limits count it (an IPv6 client by its
 * /64). Only where clients connect directly: behind a proxy every connection comes from the
 * proxy, which must cap them itself (README).
 */
export function capConnectionsPerAddress(server: Server, max: number, log: FastifyBaseLogger): void {
  const open = new Map<string, number>();
  const lastWarned = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const key = clientIpKey(socket.remoteAddress ?? null);
    const count = (open.get(key) ?? 0) + 1;
    if (count > max) {
      refusedConnections.add();
      const now = Date.now();
      if ((lastWarned.get(key) ?? 0) < now - 60_000) {
        // Bounded: a flood from ever new addresses must not grow this map without end.
        if (lastWarned.size >= 10_000) lastWarned.clear();
        lastWarned.set(key, now);
        log.warn({ client: key, max }, 'connection refused: this client address holds the most connections allowed');
      }
      socket.destroy();
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
