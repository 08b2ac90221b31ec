// Server configuration: the environment is parsed ONCE, here, with zod, into a frozen object. Nothing else in
// the server reads process.env; everything receives the Config. A bad value stops start-up with a message that
// names the key.
//
// Demo mode: on when DEMO=1, off when DEMO=0, and otherwise on exactly when MONGODB_URI is unset (a fresh clone
// running on the embedded database). Demo mode seeds demo data into an empty database, gives every demo
// account the password `demo1234`, and, when JWT_SECRET is unset, generates a random secret persisted under
// DATA_DIR (so tokens survive restarts). Outside demo mode JWT_SECRET is required.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Unset: start the embedded MongoDB-compatible server with data under `dataDir/db`. */
  readonly mongodbUri: string | undefined;
  /** Absolute path. */
  readonly dataDir: string;
  /** Heap limit (MiB) of the embedded database's thread; undefined: Node's default. */
  readonly embeddedDbHeapMb: number | undefined;
  readonly embeddedDbYoungMb: number | undefined;
  /**
   * Opt-in loopback TCP port of the embedded database, for mongosh and debugging (0: any free port);
   * undefined: none, the app reaches it through its owner-only socket `dataDir/db.sock` only.
   */
  readonly embeddedDbPort: number | undefined;
  /** Undefined only in demo mode before `resolveJwtSecret` has run. */
  readonly jwtSecret: string | undefined;
  readonly jwtExpiresIn: string;
  readonly publicBaseUrl: string;
  readonly logLevel: LogLevel;
  readonly demo: boolean;
  /** DEMO_CLOCK=1: time comes from a simulated clock that admins can advance via /api/dev/clock. */
  readonly demoClock: boolean;
  /** DEMO_CLOCK_AT=<ISO instant>: the clock starts there and runs (implies DEMO_CLOCK; benchmarks on a data set). */
  readonly demoClockAt?: Date;
  /** Express `trust proxy` hop count, so rate limits see the client's address behind a reverse proxy. */
  readonly trustProxy: number;
  /**
   * Addresses or CIDR ranges of the reverse proxies allowed to name the client in X-Forwarded-For; when set it
   * replaces the hop count (a client reaching the app directly can then not forge its address).
   */
  readonly trustedProxies: readonly string[];
  /** Connections one client address may hold open at once (0: no cap, e.g. behind a proxy that caps). */
  readonly maxConnectionsPerAddress: number;
  /** First-admin bootstrap outside demo mode (both or neither). */
  readonly adminUsername: string | undefined;
  readonly adminPassword: string | undefined;
  /**
   * Key that encrypts stored channel secrets (HMAC secrets, tokens). Unset: derived from the JWT secret, so
   * set it before rotating JWT_SECRET in production.
   */
  readonly channelSecretKey: string | undefined;
  /** Built-in SMTP listener port (0: ephemeral); undefined: off. Demo mode: 2525 unless SMTP_PORT=off. */
  readonly smtpPort: number | undefined;
  /** WeChat official-account server token; demo mode: `demo-wechat-token`. Unset: the channel is off. */
  readonly wechatToken: string | undefined;
  /** WeChat safe mode: the 43-character EncodingAESKey and the account's appid. */
  readonly wechatEncodingAesKey: string | undefined;
  readonly wechatAppId: string | undefined;
  /** Outbound notifications (server/notify/): providers and delivery. */
  readonly notify: NotifyConfig;
}

export interface NotifyConfig {
  /** `log` (development: messages go to the log) or `http` (the SMS gateway); unset: log in demo mode only. */
  readonly smsProvider: 'log' | 'http' | undefined;
  readonly smsGatewayUrl: string | undefined;
  readonly smsGatewayKey: string | undefined;
  readonly smsGatewaySecret: string | undefined;
  /** The 【签名】 the gateway prefixes to every message. */
  readonly smsSignName: string;
  /** `smtp://user:pass@host:port` (or smtps://); unset: no email provider, email entries are not written. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** 12345 hotline work-order callback (push-back of outcomes), signed with the secret. */
  readonly hotlineCallbackUrl: string | undefined;
  readonly hotlineCallbackSecret: string | undefined;
  /** WeChat customer-service messages: the account's secret (with WECHAT_APPID) and the API base URL. */
  readonly wechatAppSecret: string | undefined;
  readonly wechatApiBase: string;
  /** Delivery attempts before an outbox entry is dead. */
  readonly outboxMaxAttempts: number;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Invalid configuration ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** An IPv4/IPv6 address, optionally with a /prefix, or one of Express's names (loopback, linklocal, uniquelocal). */
const PROXY_ENTRY = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/;

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// URI')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_DB_HEAP_MB: z.coerce.number().int().min(256).max(1_048_576).optional(),
  EMBEDDED_DB_YOUNG_MB: z.coerce.number().int().min(8).max(4096).optional(),
  EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_EXPIRES_IN: z
    .string()
    .regex(/^\d+[smhd]$/, 'must look like 12h, 30m or 1d')
    .default('12h'),
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  DEMO: flag.optional(),
  NODE_ENV: z.string().optional(),
  DEMO_CLOCK: flag.default(false),
  DEMO_CLOCK_AT: z.iso.datetime({ offset: true, error: 'must be an ISO instant' }).optional(),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  TRUSTED_PROXIES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().refine((p) => PROXY_ENTRY.test(p), {
          error: 'must be comma-separated IP addresses or CIDR ranges',
        }),
      ),
    )
    .optional(),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).max(100_000).default(64),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{1,31}$/, 'must be 2-32 lowercase letters, digits, _ . -')
    .optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
  CHANNEL_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  SMS_PROVIDER: z.enum(['log', 'http']).optional(),
  SMS_GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  SMS_GATEWAY_KEY: z.string().min(1).max(200).optional(),
  SMS_GATEWAY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SMS_SIGN_NAME: z.string().min(1).max(20).default('企业码'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).max(200).default('企业服务中心 <noreply@localhost>'),
  HOTLINE_CALLBACK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  HOTLINE_CALLBACK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  WECHAT_APPSECRET: z
    .string()
    .regex(/^[A-Za-z0-9]{16,64}$/, 'must be the 32-character AppSecret')
    .optional(),
  WECHAT_API_BASE: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('https://api.weixin.qq.com'),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(40),
  SMTP_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)], {
      error: 'must be a port number or off',
    })
    .optional(),
  WECHAT_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9-]{3,32}$/, 'must be 3-32 letters, digits or -')
    .optional(),
  WECHAT_ENCODING_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey')
    .optional(),
  WECHAT_APPID: z
    .string()
    .regex(/^wx[0-9a-f]{16}$/, 'must look like wx followed by 16 hex digits')
    .optional(),
});

export const DEMO_SMTP_PORT = 2525;
export const DEMO_WECHAT_TOKEN = 'demo-wechat-token';

/**
 * Parses an environment into a frozen Config. Pure: no I/O, so it is unit-testable; empty strings count as
 * unset. Throws ConfigError naming the offending key.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') present[key] = value.trim();
  }
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  // Demo mode (well-known demo passwords) is the default only for a fresh clone: anything a deployment sets (a
  // real database, a JWT secret, its public address, NODE_ENV=production) turns it off unless DEMO=1 asks for it.
  const production = e.NODE_ENV === 'production' ? e.NODE_ENV : undefined;
  const deployed = e.MONGODB_URI ?? e.JWT_SECRET ?? e.PUBLIC_BASE_URL ?? production;
  const demo = e.DEMO ?? deployed === undefined;
  if (!demo && e.JWT_SECRET === undefined) {
    throw new ConfigError('JWT_SECRET', 'is required outside demo mode (at least 32 random characters)');
  }
  if ((e.ADMIN_USERNAME === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    const missing = e.ADMIN_USERNAME === undefined ? 'ADMIN_USERNAME' : 'ADMIN_PASSWORD';
    throw new ConfigError(missing, 'ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  }
  // Demo accounts share a well-known password, so a demo binds to loopback unless told otherwise.
  const host = e.HOST ?? (demo ? '127.0.0.1' : '0.0.0.0');
  const linkHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return Object.freeze({
    port: e.PORT,
    host,
    mongodbUri: e.MONGODB_URI,
    dataDir: path.resolve(e.DATA_DIR),
    embeddedDbHeapMb: e.EMBEDDED_DB_HEAP_MB,
    embeddedDbYoungMb: e.EMBEDDED_DB_YOUNG_MB,
    embeddedDbPort: e.EMBEDDED_DB_PORT,
    jwtSecret: e.JWT_SECRET,
    jwtExpiresIn: e.JWT_EXPIRES_IN,
    publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://${linkHost}:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
    demo,
    demoClock: e.DEMO_CLOCK || e.DEMO_CLOCK_AT !== undefined,
    demoClockAt: e.DEMO_CLOCK_AT === undefined ? undefined : new Date(e.DEMO_CLOCK_AT),
    trustProxy: e.TRUST_PROXY,
    trustedProxies: Object.freeze(e.TRUSTED_PROXIES ?? []),
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
    channelSecretKey: e.CHANNEL_SECRET_KEY,
    notify: Object.freeze({
      smsProvider: e.SMS_PROVIDER,
      smsGatewayUrl: e.SMS_GATEWAY_URL,
      smsGatewayKey: e.SMS_GATEWAY_KEY,
      smsGatewaySecret: e.SMS_GATEWAY_SECRET,
      smsSignName: e.SMS_SIGN_NAME,
      smtpUrl: e.SMTP_URL,
      mailFrom: e.MAIL_FROM,
      hotlineCallbackUrl: e.HOTLINE_CALLBACK_URL,
      hotlineCallbackSecret: e.HOTLINE_CALLBACK_SECRET,
      wechatAppSecret: e.WECHAT_APPSECRET,
      wechatApiBase: e.WECHAT_API_BASE,
      outboxMaxAttempts: e.OUTBOX_MAX_ATTEMPTS,
    }),
    smtpPort:
      e.SMTP_PORT === 'off'
        ? undefined
        : (e.SMTP_PORT ?? (demo ? (e.PORT === 0 ? 0 : DEMO_SMTP_PORT) : undefined)),
    wechatToken: e.WECHAT_TOKEN ?? (demo ? DEMO_WECHAT_TOKEN : undefined),
    wechatEncodingAesKey: e.WECHAT_ENCODING_AES_KEY,
    wechatAppId: e.WECHAT_APPID,
  });
}

const SECRET_FILE = 'jwt-secret';

/**
 * Returns a Config whose jwtSecret is set. In demo mode without JWT_SECRET, the secret is read from
 * `DATA_DIR/jwt-secret`, or generated (256 random bits) and written there with owner-only permissions.
 */
export async function resolveJwtSecret(config: Config): Promise<Config> {
  if (config.jwtSecret !== undefined) return config;
  if (!config.demo) throw new ConfigError('JWT_SECRET', 'is required outside demo mode');
  const file = path.join(config.dataDir, SECRET_FILE);
  let secret: string | undefined;
  try {
    secret = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (secret === undefined || secret.length < 32) {
    secret = randomBytes(32).toString('base64url');
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    await writeFile(file, secret + '\n', { mode: 0o600 });
  }
  return Object.freeze({ ...config, jwtSecret: secret });
}
