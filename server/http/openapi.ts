// The API as a machine-readable document (OpenAPI 3.1, GET /api/openapi.json), for whoever connects a platform
// to the centre or scripts against it: the channel webhooks and the core of the staff API (DESIGN §10). Each
// request's schema is the zod schema the server checks that request with (z.toJSONSchema, as input), so the
// document cannot say other than what is enforced; the answers' shapes are README.md's. Built once, pure.
import { z } from 'zod';
import { ACTION_LABELS, ACTION_ROLES, type ActionId } from '../../shared/lifecycle/actions.ts';
import { ROLE_LABELS } from '../../shared/roles.ts';
import { ACTION_SCHEMAS, issueCreateSchema, sourceSplitSchema } from '../../shared/schemas.ts';
import { CHANNEL_LABELS, type ChannelId } from '../../shared/states.ts';
import { JSON_CHANNELS } from '../channels/json-channels.ts';
import { loginSchema } from '../routes/auth/auth.schema.ts';
import { dueQuery } from '../routes/calendar/calendar.schema.ts';
import { listIssuesQuery } from '../routes/issues/issues.schema.ts';

type Json = Record<string, unknown>;

/** A request schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), without its own `$schema`. */
function schemaOf(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

const ERROR = { $ref: '#/components/schemas/Error' };
const errors = (codes: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(codes).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: ERROR } } },
    ]),
  );
const json = (schema: Json) => ({ 'application/json': { schema } });
const ok = (description: string, schema: Json = { type: 'object' }) => ({
  description,
  content: json(schema),
});

/**
 * The channels that refuse a well-formed message as nothing to file (422), and why; the others never answer 422.
 * No channel webhook is rate-limited (no 429): a platform's burst is taken in, not refused.
 */
const NOTHING_TO_FILE: Partial<Record<ChannelId, string>> = {
  sms: '没有要反映的问题：只有问候、致谢、评价或退订（no_complaint）',
  review: '好评（非常满意、满意、基本满意）无需登记，只受理差评（not_bad_rating）',
};

function channelPaths(): Json {
  const paths: Json = {};
  for (const adapter of JSON_CHANNELS) {
    const hmac = adapter.auth === 'hmac';
    const nothingToFile = NOTHING_TO_FILE[adapter.channel];
    paths[`/api/intake/${adapter.channel}`] = {
      post: {
        tags: ['渠道接入'],
        summary: `${CHANNEL_LABELS[adapter.channel]}推送`,
        description: hmac
          ? '签名：`X-Signature` = hex HMAC-SHA256(渠道密钥, `X-Timestamp + "." + 原始请求体`)；时间戳与服务器相差超过5分钟、或签名重放均被拒绝。'
          : '凭渠道 API Key（`X-Api-Key`，管理员在「渠道凭据」签发）。',
        security: [hmac ? { channelSignature: [] } : { channelApiKey: [] }],
        parameters: hmac
          ? [
              {
                name: 'X-Timestamp',
                in: 'header',
                required: true,
                schema: { type: 'string', pattern: '^\\d{1,10}$' },
              },
            ]
          : [],
        requestBody: { required: true, content: json(schemaOf(adapter.schema)) },
        responses: {
          200: ok('已登记（created）、并入在办问题（merged）或重复投递（duplicate）', {
            $ref: '#/components/schemas/IntakeAck',
          }),
          202: ok('已收下，待处理（queued）或进入处理失败列表（failed）', {
            $ref: '#/components/schemas/IntakeAck',
          }),
          ...errors({
            400: '请求体无效（字段、JSON、编码），见 error.code',
            401: '签名或 API Key 无效、时间戳过期',
            409: '签名重放，或同一外部编号对应不同内容',
            413: '请求体过大',
            ...(nothingToFile ? { 422: nothingToFile } : {}),
          }),
        },
      },
    };
  }
  paths['/api/intake/wechat'] = {
    post: {
      tags: ['渠道接入'],
      summary: '微信公众号消息推送（XML，明文或安全模式）',
      description:
        '按微信公众平台的服务器配置：查询参数 `signature`、`timestamp`、`nonce`（安全模式另有 `msg_signature`），请求体为消息 XML；被动回复为 XML。',
      requestBody: { required: true, content: { 'text/xml': { schema: { type: 'string' } } } },
      responses: {
        200: {
          description: '被动回复（XML）或空串',
          content: { 'text/xml': { schema: { type: 'string' } } },
        },
        ...errors({ 400: '消息无效', 401: '签名无效' }),
      },
    },
  };
  return paths;
}

function actionPaths(): Json {
  const paths: Json = {};
  for (const action of Object.keys(ACTION_SCHEMAS) as ActionId[]) {
    const roles = ACTION_ROLES[action].map((r) => ROLE_LABELS[r]).join('、');
    paths[`/api/issues/{id}/actions/${action}`] = {
      post: {
        tags: ['工单办理'],
        summary: ACTION_LABELS[action],
        description: `可执行角色：${roles}（另受工单所属单位和状态限制）。带 \`If-Match: <version>\` 时，工单已被他人修改则返回 409。`,
        security: [{ staffBearer: [] }],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            schema: { type: 'string', pattern: '^"?\\d{1,9}"?$' },
          },
        ],
        requestBody: { required: true, content: json(schemaOf(ACTION_SCHEMAS[action])) },
        responses: {
          200: ok('操作后的工单（同 GET /api/issues/{id}）'),
          ...errors({
            400: '输入无效',
            401: '未登录',
            403: '无权执行',
            404: '工单不存在或不可见',
            409: '状态不允许或版本已变',
          }),
        },
      },
    };
  }
  return paths;
}

/** Query parameters from an object schema's properties. */
function queryParameters(schema: z.ZodType): Json[] {
  const properties = (schemaOf(schema).properties ?? {}) as Record<string, Json>;
  return Object.entries(properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}

function staffPaths(): Json {
  return {
    '/api/auth/login': {
      post: {
        tags: ['登录'],
        summary: '工作人员登录',
        requestBody: { required: true, content: json(schemaOf(loginSchema)) },
        responses: {
          200: ok('`{token, user}`；另设刷新 Cookie'),
          ...errors({ 400: '输入无效', 401: '用户名或密码错误', 429: '尝试过于频繁' }),
        },
      },
    },
    '/api/auth/refresh': {
      post: {
        tags: ['登录'],
        summary: '以刷新 Cookie 换取新令牌（每个 Cookie 只能用一次）',
        responses: { 200: ok('`{token, user}`；另设新的刷新 Cookie'), ...errors({ 401: '登录已失效' }) },
      },
    },
    '/api/issues': {
      get: {
        tags: ['工单'],
        summary: '工单列表（按角色可见范围）',
        security: [{ staffBearer: [] }],
        parameters: queryParameters(listIssuesQuery),
        responses: { 200: ok('`{items, next?}`'), ...errors({ 400: '查询参数无效', 401: '未登录' }) },
      },
      post: {
        tags: ['工单'],
        summary: '登记工单（窗口、来电等由工作人员录入）',
        security: [{ staffBearer: [] }],
        requestBody: { required: true, content: json(schemaOf(issueCreateSchema)) },
        responses: {
          201: ok('`{id, number, state, category, urgency, unitId, deadlines, redelivered}`'),
          ...errors({ 400: '输入无效', 401: '未登录', 403: '无权从该渠道登记' }),
        },
      },
    },
    '/api/issues/{id}': {
      get: {
        tags: ['工单'],
        summary: '工单详情',
        security: [{ staffBearer: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: ok('工单，含时间线'), ...errors({ 401: '未登录', 404: '工单不存在或不可见' }) },
      },
    },
    '/api/issues/{id}/sources/{inboxId}/split': {
      post: {
        tags: ['工单办理'],
        summary: '拆分为新工单（将合并进来的来源拆出单独办理）',
        description: `可执行角色：${ACTION_ROLES.merge.map((r) => ROLE_LABELS[r]).join('、')}。`,
        security: [{ staffBearer: [] }],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'inboxId', in: 'path', required: true, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: json(schemaOf(sourceSplitSchema)) },
        responses: {
          201: ok('`{issue: {id, number, state, …}, master}`：新工单与拆分后的原工单'),
          ...errors({
            400: '缺少拆分理由',
            401: '未登录',
            403: '无权拆分',
            404: '工单或来源不存在',
            409: '首条来信、已拆分、来信已属于其他工单，或工单已合并',
          }),
        },
      },
    },
    '/api/calendar/due': {
      get: {
        tags: ['工作日历'],
        summary: '自现在起 N 个工作日后的时刻',
        security: [{ staffBearer: [] }],
        parameters: queryParameters(dueQuery),
        responses: { 200: ok('`{dueAt}`'), ...errors({ 400: '工作日数无效', 401: '未登录' }) },
      },
    },
  };
}

/** The version of the interface described (DESIGN §10's stable interface), not of the package. */
const API_VERSION = '1.0.0';

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: '涉企问题高效闭环系统 API',
      version: API_VERSION,
      description:
        '渠道接入与工作人员 API 的核心部分；请求体结构即服务器校验所用的结构。应答与其余接口见 README.md。错误统一为 `{error: {code, message}}`。',
    },
    paths: { ...channelPaths(), ...staffPaths(), ...actionPaths() },
    components: {
      securitySchemes: {
        staffBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        channelApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        channelSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Signature',
          description: 'hex HMAC-SHA256(secret, X-Timestamp + "." + rawBody)',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
        IntakeAck: {
          type: 'object',
          required: ['status', 'inboxId'],
          properties: {
            number: { type: 'string', description: '工单编号（已处理时）' },
            status: { type: 'string', enum: ['created', 'merged', 'duplicate', 'queued', 'failed'] },
            inboxId: { type: 'string' },
            reason: { type: 'string' },
          },
        },
      },
    },
  };
}
