/*
 * Mechanisms every process shares: settings, the one error type, identity
 * (tokens, signed headers, passwords), HTTP serving and calling, the
 * subgraph server, loaders and batched writes, circuit breakers, logging and
 * a process's life. No domain lives here (the shared vocabulary and the rules
 * domains publish to each other are in @baedal/contracts).
 */
export {
  SERVICES,
  chargeSecret,
  databaseName,
  databasePrefix,
  databaseUrl,
  gatewayUrl,
  identitySecret,
  isProduction,
  jwtSecret,
  httpServing,
  logLevel,
  tokenLifetimes,
  passwordHashing,
  paymentProviders,
  platformConfig,
  port,
  postgresServerUrl,
  queryModelChannel,
  redisPrefix,
  redisUrl,
  subgraphUrl,
  type ProcessWithPort,
  type QueryModelChange,
  type ServiceName,
} from './config';
export {
  SettingError,
  bool,
  decimal,
  defineSettings,
  int,
  listOf,
  oneOf,
  optionalInt,
  optionalText,
  readSettings,
  secret,
  SECRET_MIN_BYTES,
  text,
  type Environment,
  type Setting,
  type Settings,
  type SettingsOf,
  type SettingsSpec,
} from './settings';
export {
  DomainError,
  DOMAIN_ERROR_CODES,
  badInput,
  forbidden,
  formatError,
  isUniqueViolation,
  notFound,
  unauthenticated,
  type ErrorCode,
} from './errors';
export {
  ANONYMOUS,
  ROLES,
  hmacKey,
  identityFromAuthorization,
  issueToken,
  requireRole,
  requireSignedIn,
  type Identity,
  type Role,
} from './identity';
export {
  IDENTITY_HEADERS,
  IDENTITY_WINDOW_MS,
  identityHeaders,
  verifyBody,
  verifyIdentityHeaders,
  type SignedRequest,
} from './signedIdentity';
export { hashPassword, verifyAgainstNobody, verifyPassword } from './passwords';
export { Sessions, type Session, type SessionSettings } from './sessions';
export { AttemptCounter, tooManyRequests, type AttemptLimit, type CountStore } from './rateLimits';
export { createLogger, inLogScope, logScope, type Logger, type LogScope } from './logger';
export {
  currentTraceId,
  currentTraceParent,
  inSpan,
  linkTo,
  markStep,
  SpanKind,
  type SpanOptions,
} from './traceContext';
export {
  boundedLabel,
  gatherMetricsForCopies,
  metricsRoute,
  observeOperation,
  observePool,
  readWhenScraped,
  registry,
  type MetricValue,
  type ObservablePool,
} from './metrics';
export { BodyTooLarge, INTERNAL_ERROR, NOT_JSON, errorBody, readBody, sendJson, sendJsonText } from './json';
export {
  CLIENT_REQUEST_ID_HEADER,
  REQUEST_ID_HEADER,
  createHttpServer,
  notFoundRoute,
  type HttpServerOptions,
  type RequestTarget,
  type Route,
} from './httpServer';
export { GraphQLHttp, type GraphQLHttpOptions, type TextAnswer } from './graphqlHttp';
export {
  COMMANDS_PATH,
  MAX_GATHERED_COMMANDS,
  answerGatheredCommands,
  gatheredCommandsBody,
  readCommandAnswers,
  type CommandAnswer,
  type GatheredCommand,
} from './gatheredCommands';
export { closeServer, forkPerCore, listen, refuseUnfitSettings, runUntilStopped, stopOnSignals } from './processes';
export { CallFailure, callWithin, keepAliveAgent, type CallAnswer, type CallOptions } from './call';
export {
  loadTypeDefs,
  startSubgraph,
  type RunningSubgraph,
  type SubgraphContext,
  type SubgraphOptions,
  type SubgraphResolverMap,
} from './subgraph';
export {
  serveGraphQLWs,
  signSubscription,
  SUBSCRIPTIONS_PATH,
  TOO_SLOW_CLOSE_CODE,
  verifySubscription,
  type SignedSubscription,
} from './subscriptions';
export { groupLoader, rowLoader, rowsInOrder } from './loaders';
export { batchedWrites, type BatchingOptions } from './batching';
export { roundsBy } from './rounds';
export { DateTimeScalar } from './scalars';
export { MAX_PAGE_SIZE, connectionOf, decodeCursor, encodeCursor, pageSize } from './pagination';
export {
  BREAKER_STATE_VALUES,
  createCircuitBreaker,
  isBreakerOpen,
  type BreakerSettings,
  type BreakerState,
  type GuardedCall,
} from './breaker';
