// 操作日志: every change a person makes to the system's configuration, people, enterprises and channels is
// recorded with who, when, what and to what (the issues' own changes are on their timelines). One middleware
// on /api records a request of the table below once it has succeeded (a 2xx answer): the request's body, with
// passwords, secrets, PINs and keys masked, and the name or number its answer gives the thing changed.
//
// The row is written after the change and before its answer goes out: a process that dies in between loses
// that row, never the change; a failed write is logged, and the answer still goes out.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { CHANNEL_LABELS, type ChannelId } from '../../shared/states.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Models } from '../models/index.ts';

type Label = (params: string[], body: Record<string, unknown>) => string;

const SETTING_LABELS: Readonly<Record<string, string>> = {
  timeLimits: '时限策略',
  notifyTemplates: '通知模板',
  'sla.overrides': '时限调整',
  'classify.threshold': '分类置信度阈值',
  'classify.keywords': '类别关键词',
  'classify.urgencyCues': '紧急程度提示词',
  'classify.synonyms': '同义词',
};

const channelLabel = (id: string | undefined) => CHANNEL_LABELS[id as ChannelId] ?? id ?? '';

function userChange(body: Record<string, unknown>): string {
  if (body.disabled === true) return '停用用户';
  if (body.disabled === false) return '启用用户';
  if (typeof body.password === 'string') return '重置用户密码';
  return '修改用户';
}

/** The audited requests: method, path under /api (its captures are the label's params), and the label. */
const AUDITED: ReadonlyArray<readonly [string, RegExp, Label]> = [
  ['PUT', /^\/settings\/([^/]+)$/, ([key]) => `修改设置「${SETTING_LABELS[key!] ?? key}」`],
  ['POST', /^\/routing-rules$/, () => '新增分办规则'],
  ['PATCH', /^\/routing-rules\/([^/]+)$/, () => '修改分办规则'],
  ['DELETE', /^\/routing-rules\/([^/]+)$/, () => '删除分办规则'],
  ['PUT', /^\/calendar\/overrides\/([^/]+)$/, ([date]) => `设置工作日历 ${date}`],
  ['DELETE', /^\/calendar\/overrides\/([^/]+)$/, ([date]) => `删除工作日历调整 ${date}`],
  ['PUT', /^\/calendar\/years\/(\d+)$/, ([year]) => `导入 ${year} 年节假日安排`],
  ['POST', /^\/channels\/([^/]+)\/credentials$/, ([c]) => `签发渠道凭据（${channelLabel(c)}）`],
  [
    'POST',
    /^\/channels\/([^/]+)\/credentials\/([^/]+)\/revoke$/,
    ([c]) => `吊销渠道凭据（${channelLabel(c)}）`,
  ],
  ['POST', /^\/classify\/retrain$/, () => '重新训练分类模型'],
  ['POST', /^\/users$/, () => '新增用户'],
  ['PATCH', /^\/users\/([^/]+)$/, (_p, body) => userChange(body)],
  ['POST', /^\/units$/, () => '新增单位'],
  ['PATCH', /^\/units\/([^/]+)$/, () => '修改单位'],
  ['POST', /^\/enterprises$/, () => '登记企业'],
  ['PATCH', /^\/enterprises\/([0-9a-f]{24})$/, () => '修改企业信息'],
  ['PUT', /^\/enterprises\/([^/]+)\/pin$/, () => '设置企业 PIN'],
  ['POST', /^\/enterprises\/([^/]+)\/qr\/rotate$/, () => '更换企业码'],
  ['POST', /^\/enterprises\/([^/]+)\/confirm$/, () => '确认临时企业'],
  ['POST', /^\/enterprises\/([^/]+)\/merge$/, () => '合并临时企业'],
  [
    'POST',
    /^\/enterprises\/([^/]+)\/senders\/remove$/,
    (_p, body) => `移除已核实的来信人（${body.channel === 'wechat' ? '微信用户' : '邮箱'}）`,
  ],
  ['POST', /^\/enterprises\/imports$/, () => '批量导入企业'],
  ['POST', /^\/inbox\/([^/]+)\/retry$/, () => '重新处理接入失败消息'],
  ['POST', /^\/inbox\/([^/]+)\/register$/, () => '人工登记接入失败消息'],
  ['POST', /^\/inbox\/([^/]+)\/discard$/, () => '作废接入失败消息'],
  ['POST', /^\/outbox\/([^/]+)\/retry$/, () => '重发通知'],
  ['POST', /^\/dev\/clock$/, () => '调整模拟时钟'],
];

/** Field names whose values never reach the log. */
const SECRET = /pass(word)?|secret|pin$|token|api[-_]?key|key[-_]?hash/i;
const MAX_DETAILS = 2_000;

/** The body as JSON with every secret-named field's value masked, cut to MAX_DETAILS characters. */
export function maskedDetails(body: unknown): string {
  if (body === undefined || body === null || (typeof body === 'object' && !Object.keys(body).length))
    return '';
  const json = JSON.stringify(body, (k, v: unknown) => (k && SECRET.test(k) && v !== '' ? '***' : v)) ?? '';
  return json.length > MAX_DETAILS ? `${json.slice(0, MAX_DETAILS)}…` : json;
}

/** The audited route a request takes: its label and the path's captures (the first is the id), or null. */
function auditedRoute(method: string, path: string): { label: Label; params: string[] } | null {
  for (const [m, pattern, label] of AUDITED) {
    if (m !== method) continue;
    const match = pattern.exec(path);
    if (match) return { label, params: match.slice(1) };
  }
  return null;
}

/** What an answer names the thing changed by: the first of these fields it has. */
function nameIn(answer: unknown): string | undefined {
  const a = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>;
  const inner = (a.credential ?? a.user ?? a.enterprise ?? a) as Record<string, unknown>;
  for (const k of ['name', 'username', 'number', 'code', 'label', 'hint']) {
    const v = inner[k];
    if (typeof v === 'string' && v) return v.slice(0, 100);
  }
  return undefined;
}

export interface AuditDeps {
  models: Models;
  clock: Clock;
  logger: Logger;
}

/**
 * The /api middleware: records each audited request that succeeded, just before its answer goes out (so the
 * row is there when the client hears of the change).
 */
export function auditTrail(deps: AuditDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const path = req.path;
    const route = auditedRoute(req.method, path);
    if (!route) return next();
    let answer: unknown;
    const json = res.json.bind(res);
    res.json = (payload: unknown) => {
      answer = payload;
      return json(payload);
    };
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      const row = rowOf(req, res.statusCode, path, route, answer);
      if (!row) return end(...args);
      deps.models.Audit.collection
        .insertOne({ ...row, createdAt: deps.clock.now() })
        .catch((err: unknown) => deps.logger.error({ err, path }, 'audit: the row could not be written'))
        .finally(() => end(...args));
      return res;
    }) as Response['end'];
    next();
  };
}

/** The row for a request that succeeded, as a staff member made it; null otherwise. */
function rowOf(
  req: Request,
  status: number,
  path: string,
  route: { label: Label; params: string[] },
  answer: unknown,
) {
  const actor = req.actor;
  if (!actor || status >= 400) return null;
  // Read now: a multipart body (an import) is parsed by its route, after the middleware ran.
  const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const a = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>;
  const id = route.params[0] ?? (typeof a.id === 'string' ? a.id : undefined);
  const name = nameIn(answer);
  return {
    actor: { id: actor.id, name: actor.name ?? actor.username, role: actor.role },
    action: route.label(route.params, body),
    method: req.method,
    path,
    target: { ...(id ? { id } : {}), ...(name ? { name } : {}) },
    details: maskedDetails(body),
  };
}
