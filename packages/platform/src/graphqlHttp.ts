import type http from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { NOT_JSON, readBody, sendJsonText } from './json';
import type { RequestTarget } from './httpServer';

/** An answer as status and JSON text: a refusal, or a gathered command's answer. */
export interface TextAnswer {
  status: number;
  body: string;
}

/** What a request's context is built from: its headers, method and body (a subgraph checks the signature covers them). */
export interface CallerRequest {
  headers: http.IncomingHttpHeaders;
  method: string;
  body: string;
  /** The connection's peer (a proxy's, behind one). */
  remoteAddress: string;
}

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context; a GraphQLError thrown here refuses the request. */
  context: (request: CallerRequest, requestId: string) => Promise<TContext>;
  /**
   * Largest request body taken, in bytes.
   * @defaultValue 1 MiB
   */
  maxBodyBytes?: number;
}

function graphqlErrorBody(error: GraphQLError) {
  const { http: _http, ...extensions } = (error.extensions ?? {}) as Record<string, unknown>;
  return { errors: [{ message: error.message, extensions }] };
}

/**
 * The steps of answering GraphQL over HTTP with an Apollo Server on plain
 * node:http (Apollo documents this integration: executeHTTPGraphQLRequest).
 * A subgraph takes them in order (`serve`); the gateway puts its caches and
 * shortcut between them.
 */
export class GraphQLHttp<TContext extends BaseContext> {
  readonly maxBodyBytes: number;

  constructor(private readonly options: GraphQLHttpOptions<TContext>) {
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  }

  /** The body of a POST (empty for other methods). */
  rawBody(req: http.IncomingMessage): Promise<string> {
    return req.method === 'POST' ? readBody(req, this.maxBodyBytes) : Promise.resolve('');
  }

  /** The caller's context, or the answer that refuses the request (a GraphQLError from `options.context`). */
  async contextFor(request: CallerRequest, requestId: string): Promise<{ context: TContext } | TextAnswer> {
    try {
      return { context: await this.options.context(request, requestId) };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const status = (error.extensions?.http as { status?: number } | undefined)?.status ?? 400;
      return { status, body: JSON.stringify(graphqlErrorBody(error)) };
    }
  }

  /** Runs the pipeline on a parsed body. */
  execute(
    method: string,
    headers: http.IncomingHttpHeaders,
    search: string,
    body: unknown,
    context: TContext,
  ): Promise<HTTPGraphQLResponse> {
    const headerMap = new HeaderMap();
    for (const [key, value] of Object.entries(headers)) {
      if (value !== undefined) headerMap.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    return this.options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers: headerMap, search, body },
      context: () => Promise.resolve(context),
    });
  }

  /** Writes the pipeline's answer; returns its text when it came whole (not incrementally). */
  async send(res: http.ServerResponse, response: HTTPGraphQLResponse): Promise<string | null> {
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return response.body.string;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
    return null;
  }

  /** The pipeline's whole answer as text (a gathered command's). */
  async answerText(response: HTTPGraphQLResponse): Promise<TextAnswer> {
    let text = '';
    if (response.body.kind === 'complete') text = response.body.string;
    else for await (const chunk of response.body.asyncIterator) text += chunk;
    return { status: response.status ?? 200, body: text };
  }

  /** A JSON body parsed, or the answer refusing it. */
  parse(rawBody: string): { json: unknown } | TextAnswer {
    if (!rawBody) return { json: undefined };
    try {
      return { json: JSON.parse(rawBody) as unknown };
    } catch {
      return { status: 400, body: NOT_JSON };
    }
  }

  /** Answers one request: body, context, pipeline, in that order. */
  async serve(req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget): Promise<void> {
    const body = await this.rawBody(req);
    const parsed = this.parse(body);
    if (!('json' in parsed)) return sendJsonText(res, parsed.status, parsed.body);
    const caller = await this.contextFor(
      { headers: req.headers, method: req.method ?? 'GET', body, remoteAddress: req.socket.remoteAddress ?? '' },
      target.requestId,
    );
    if (!('context' in caller)) return sendJsonText(res, caller.status, caller.body);
    await this.send(
      res,
      await this.execute(req.method ?? 'GET', req.headers, target.search, parsed.json, caller.context),
    );
  }
}
