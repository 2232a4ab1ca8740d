import type http from 'node:http';

/** A request body larger than the server takes. */
export class BodyTooLarge extends Error {}

/** The whole body of a request as text, refusing more than `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** JSON already written as text (an answer as it came from a subgraph or a cache). */
export function sendJsonText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A GraphQL-shaped error answer with its stable code. */
export function errorBody(
  message: string,
  code: 'BAD_REQUEST' | 'INTERNAL_SERVER_ERROR' | 'PAYLOAD_TOO_LARGE' | 'UNAUTHENTICATED',
) {
  return { errors: [{ message, extensions: { code } }] };
}
export const NOT_JSON = JSON.stringify(errorBody('The request body is not valid JSON', 'BAD_REQUEST'));
export const INTERNAL_ERROR = JSON.stringify(errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
export const TOO_LARGE = JSON.stringify(errorBody('Request body is too large', 'BAD_REQUEST'));
