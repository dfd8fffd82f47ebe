/**
 * A failing wrapper around an emulator: an HTTP proxy on 127.0.0.1 that forwards to s3rver/dynalite
 * unless the test's plan says to answer a 5xx, stall, reset the connection or cut the body short. The SDK
 * under test talks to the proxy with its real retry, timeout and signing code (the Host header is kept,
 * so s3rver's signature check still passes).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Fault =
  /** Answer this without forwarding. */
  | { kind: 'respond'; status: number; body?: string; headers?: Record<string, string> }
  /** Say nothing for `ms` (longer than the client's timeout), then forward. */
  | { kind: 'stall'; ms: number }
  /** Drop the connection without an answer. */
  | { kind: 'reset' }
  /** Forward, then send only the first `keep` bytes of the body under the full Content-Length and hang up. */
  | { kind: 'truncate'; keep: number };

export type Plan = (request: ProxiedRequest, index: number) => Fault | undefined;

export interface FaultProxy {
  endpoint: string;
  requests: ProxiedRequest[];
  setPlan(plan: Plan): void;
  close(): Promise<void>;
}

function forward(
  target: URL,
  req: ProxiedRequest,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.path, headers: req.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(req.body);
  });
}

export async function startFaultProxy(targetEndpoint: string, initial: Plan = () => undefined): Promise<FaultProxy> {
  const target = new URL(targetEndpoint);
  let plan = initial;
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const proxied: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const index = requests.push(proxied) - 1;
      const fault = plan(proxied, index);
      try {
        if (fault?.kind === 'respond') {
          const body = Buffer.from(fault.body ?? '');
          res.writeHead(fault.status, { 'content-length': String(body.length), ...fault.headers });
          res.end(body);
          return;
        }
        if (fault?.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'stall') await new Promise((r) => setTimeout(r, fault.ms));
        if (res.destroyed || req.socket.destroyed) return;
        const answer = await forward(target, proxied);
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        if (fault?.kind === 'truncate') {
          res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
          res.write(answer.body.subarray(0, fault.keep));
          // Let the partial body leave before the connection drops.
          setTimeout(() => req.socket.destroy(), 20);
          return;
        }
        res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
        res.end(answer.body);
      } catch {
        req.socket.destroy();
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setPlan(p) {
      plan = p;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The S3 error body s3rver/S3 send with a 5xx (the SDK maps it to a retryable error). */
export function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULT</RequestId></Error>`;
}
