/**
 * Server-level commands: the handshake (`hello`/`isMaster`), liveness and introspection that drivers, mongoose
 * and mongosh send on connect, and the cursor follow-ups (`getMore`, `killCursors`) on behalf of any data
 * command. None of them touch data; they read only the state injected here.
 */
import os from 'node:os';
import { Int32, type Document } from 'bson';
import type { CommandContext, CommandHandler } from '../contract.ts';
import type { CursorRegistry } from '../cursors.ts';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { asNumber } from '../wire/bson-codec.ts';
import type { ConnectionDirectory } from '../wire/connection-directory.ts';
import {
  Limits,
  MAX_WIRE_VERSION,
  MIN_WIRE_VERSION,
  SERVER_VERSION,
  SERVER_VERSION_ARRAY,
} from '../wire/constants.ts';

export const LOGICAL_SESSION_TIMEOUT_MINUTES = 30;

export interface AdminDeps {
  cursors: CursorRegistry;
  connections: ConnectionDirectory;
  startedAt: Date;
  /** Every command name the dispatcher knows, for `listCommands`. */
  commandNames: () => string[];
  storageEngine: string;
  /** Every command run so far by name, for `serverStatus.metrics.commands`. */
  commandCounts: () => Record<string, { total: number; failed: number }>;
}

export function adminCommands(deps: AdminDeps): Record<string, CommandHandler> {
  const handshake = (cmd: Document, ctx: CommandContext) => hello(cmd, ctx, deps);
  return {
    hello: handshake,
    ismaster: handshake,
    ping: () => ({}),
    buildinfo: () => buildInfo(deps),
    getparameter: (cmd) => getParameter(cmd),
    hostinfo: (_cmd, ctx) => hostInfo(ctx),
    serverstatus: (_cmd, ctx) => serverStatus(ctx, deps),
    endsessions: () => ({}),
    getmore: (cmd, ctx) => getMore(cmd, ctx, deps),
    killcursors: (cmd, ctx) => killCursors(cmd, ctx, deps),
    whatsmyuri: (_cmd, ctx) => ({ you: deps.connections.get(ctx.connectionId)?.remote ?? 'unknown' }),
    getlog: (cmd) => getLog(cmd),
    connectionstatus: (cmd) => connectionStatus(cmd),
    listcommands: () => listCommands(deps),
    getcmdlineopts: () => ({ argv: [], parsed: {} }),
    // There are no users: a client configured with credentials must fail clearly, not with "no such command".
    saslstart: refuseAuthentication,
    saslcontinue: refuseAuthentication,
    authenticate: refuseAuthentication,
  };
}

function refuseAuthentication(): never {
  throw notSupported('Authentication (remove the credentials from the connection string)');
}

function hello(cmd: Document, ctx: CommandContext, deps: AdminDeps): Document {
  const name = Object.keys(cmd)[0];
  const connection = deps.connections.get(ctx.connectionId);
  if (cmd.client !== undefined) {
    if (typeof cmd.client !== 'object' || cmd.client === null || Array.isArray(cmd.client)) {
      throw new MongoError(ErrorCodes.TypeMismatch, "'client' must be a document");
    }
    if (connection?.clientMetadata) {
      throw new MongoError(186, 'The client metadata document may only be sent in the first hello');
    }
    if (connection) connection.clientMetadata = cmd.client as Document;
  }
  const primaryField = name === 'hello' ? 'isWritablePrimary' : 'ismaster';
  return {
    ...(cmd.helloOk === true ? { helloOk: true } : {}),
    [primaryField]: true,
    maxBsonObjectSize: Limits.maxBsonObjectSize,
    maxMessageSizeBytes: Limits.maxMessageSizeBytes,
    maxWriteBatchSize: Limits.maxWriteBatchSize,
    localTime: ctx.now(),
    logicalSessionTimeoutMinutes: LOGICAL_SESSION_TIMEOUT_MINUTES,
    connectionId: ctx.connectionId,
    minWireVersion: MIN_WIRE_VERSION,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  };
}

function buildInfo(deps: AdminDeps): Document {
  return {
    version: SERVER_VERSION,
    gitVersion: 'embedded',
    versionArray: SERVER_VERSION_ARRAY.map((n) => new Int32(n)),
    bits: 64,
    debug: false,
    maxBsonObjectSize: Limits.maxBsonObjectSize,
    storageEngines: [deps.storageEngine],
    javascriptEngine: 'none',
    sysInfo: 'deprecated',
    allocator: 'system',
    modules: [],
    openssl: { running: 'disabled' },
    buildEnvironment: {},
  };
}

const PARAMETERS: Record<string, unknown> = {
  featureCompatibilityVersion: { version: '7.0' },
  authenticationMechanisms: [],
  logLevel: 0,
  quiet: false,
  tlsMode: 'disabled',
  enableTestCommands: false,
};

function getParameter(cmd: Document): Document {
  const selector = cmd.getParameter;
  const all =
    selector === '*' ||
    (typeof selector === 'object' && selector !== null && (selector as Document).allParameters === true);
  if (all) return { ...PARAMETERS };
  const out: Document = {};
  for (const key of Object.keys(cmd).slice(1)) {
    if (key.startsWith('$') || key === 'lsid' || key === 'comment') continue;
    if (!(key in PARAMETERS)) continue;
    out[key] = PARAMETERS[key];
  }
  if (Object.keys(out).length === 0)
    throw new MongoError(ErrorCodes.InvalidOptions, 'no option found to get');
  return out;
}

function hostInfo(ctx: CommandContext): Document {
  return {
    system: {
      currentTime: ctx.now(),
      hostname: os.hostname(),
      cpuAddrSize: 64,
      memSizeMB: Math.round(os.totalmem() / (1024 * 1024)),
      numCores: os.cpus().length,
      cpuArch: os.arch(),
    },
    os: { type: os.type(), name: os.platform(), version: os.release() },
    extra: {},
  };
}

function serverStatus(ctx: CommandContext, deps: AdminDeps): Document {
  const now = ctx.now();
  const uptimeMillis = Math.max(0, now.getTime() - deps.startedAt.getTime());
  return {
    host: os.hostname(),
    version: SERVER_VERSION,
    process: 'mongod',
    pid: process.pid,
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis,
    uptimeEstimate: Math.floor(uptimeMillis / 1000),
    localTime: now,
    connections: {
      current: deps.connections.current,
      available: 1_000_000 - deps.connections.current,
      totalCreated: deps.connections.totalCreated,
    },
    metrics: {
      cursor: { open: { total: deps.cursors.openCount } },
      commands: deps.commandCounts(),
    },
    storageEngine: { name: deps.storageEngine, persistent: deps.storageEngine !== 'inMemory' },
  };
}

function collectionOf(cmd: Document, field: string): string {
  const value = field === 'collection' ? cmd.collection : cmd[Object.keys(cmd)[0]];
  if (typeof value !== 'string' || value === '') {
    throw new MongoError(ErrorCodes.TypeMismatch, `'${field}' must be a non-empty string`);
  }
  return value;
}

function getMore(cmd: Document, ctx: CommandContext, deps: AdminDeps): Document {
  const collection = collectionOf(cmd, 'collection');
  const batchSize = cmd.batchSize === undefined ? undefined : asNumber(cmd.batchSize);
  if (cmd.batchSize !== undefined && batchSize === undefined) {
    throw new MongoError(ErrorCodes.TypeMismatch, "'batchSize' must be a number");
  }
  const { id, ns, nextBatch } = deps.cursors.getMore(cmd.getMore, `${ctx.db}.${collection}`, batchSize);
  return { cursor: { nextBatch, id, ns } };
}

function killCursors(cmd: Document, ctx: CommandContext, deps: AdminDeps): Document {
  const collection = collectionOf(cmd, 'killCursors');
  if (!Array.isArray(cmd.cursors))
    throw new MongoError(ErrorCodes.TypeMismatch, "'cursors' must be an array");
  return { ...deps.cursors.kill(cmd.cursors, `${ctx.db}.${collection}`) };
}

function getLog(cmd: Document): Document {
  const which = cmd.getLog;
  if (which === '*') return { names: ['global', 'startupWarnings'] };
  if (which === 'global' || which === 'startupWarnings') return { totalLinesWritten: 0, log: [] };
  throw new MongoError(ErrorCodes.BadValue, `no RamLog named: ${String(which)}`);
}

function connectionStatus(cmd: Document): Document {
  const authInfo: Document = { authenticatedUsers: [], authenticatedUserRoles: [] };
  if (cmd.showPrivileges === true) authInfo.authenticatedUserPrivileges = [];
  return { authInfo };
}

function listCommands(deps: AdminDeps): Document {
  const commands: Document = {};
  for (const name of [...deps.commandNames()].sort()) {
    commands[name] = { help: '', requiresAuth: false, secondaryOk: true, adminOnly: false };
  }
  return { commands };
}
