// The form of each lifecycle action: the body fields of DESIGN §10 (and shared/schemas) with their Chinese
// labels and input kinds. ActionForm renders these; `toBody` turns the filled form into the request body, and
// `fieldProblem` holds the checks between fields that the lifecycle makes (shared/lifecycle/handlers), so the
// form says so beside the field instead of the server refusing it.
import type { ActionId } from '../../../shared/lifecycle/actions.ts';
import { CATEGORY_LABELS } from '../../../config/categories.ts';
import {
  RATING_LEVEL_LABELS,
  RATING_LABELS,
  URGENCY_LABELS,
  ratingOfLevel,
  type RatingLevel,
} from '../../../shared/states.ts';

export type FieldKind =
  | 'text'
  | 'textarea'
  | 'number'
  | 'unit'
  | 'units'
  | 'yesno'
  | 'select'
  | 'checkbox'
  /** Another issue, typed by its number (HZ-2026-000123) and sent as its id. */
  | 'issue'
  /** A handler of the caller's unit (the unit head's workbench load lists them). */
  | 'member';

export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  options?: ReadonlyArray<{ value: string; label: string }>;
  placeholder?: string;
  /** Initial value (checkbox: boolean; others: string). */
  initial?: string | boolean;
}

const reason = (label = '理由'): FieldSpec => ({ key: 'reason', label, kind: 'textarea', required: true });
const optionalNote = (key = 'note', label = '说明'): FieldSpec => ({ key, label, kind: 'textarea' });
/** An approval's explanation for the enterprise; the request's own reason stays internal. */
const publicNote: FieldSpec = {
  key: 'publicNote',
  label: '对企业的说明（可选，企业扫码可见；申请理由不对企业公开）',
  kind: 'textarea',
};
const ratingOptions = Object.entries(RATING_LABELS).map(([value, label]) => ({ value, label }));
const levelOptions = Object.entries(RATING_LEVEL_LABELS).map(([value, label]) => ({ value, label }));
const categoryOptions = Object.entries(CATEGORY_LABELS).map(([value, label]) => ({ value, label }));
const urgencyOptions = Object.entries(URGENCY_LABELS).map(([value, label]) => ({ value, label }));

export const ACTION_FIELDS: Readonly<Record<ActionId, readonly FieldSpec[]>> = {
  dispatch: [
    { key: 'unitId', label: '承办单位', kind: 'unit', required: true },
    { key: 'coUnitIds', label: '协办单位（可选）', kind: 'units' },
  ],
  sign: [],
  // DESIGN §3: a return has a reason and a legal basis (the API keeps `legalBasis` optional: DESIGN §10 gives
  // the body as `{reason}`).
  return: [
    reason('退单理由'),
    {
      key: 'legalBasis',
      label: '依据（法律法规或职责文件）',
      kind: 'text',
      required: true,
      placeholder: '如：某条例第几条，或“三定”职责不含此事项',
    },
  ],
  transfer: [{ key: 'unitId', label: '转派至', kind: 'unit', required: true }, reason('转派理由')],
  add_co_unit: [{ key: 'unitId', label: '协办单位', kind: 'unit', required: true }],
  suspend: [reason('挂起理由')],
  approve_suspend: [publicNote],
  resume: [{ key: 'reason', label: '解挂说明（可选：如企业已补齐材料）', kind: 'textarea' }],
  approve_resume: [publicNote],
  deny_request: [reason('驳回理由')],
  request_extension: [
    { key: 'workingDays', label: '延期工作日数', kind: 'number', required: true, initial: '5' },
    reason('延期理由'),
  ],
  approve_extension: [publicNote],
  note: [
    { key: 'text', label: '进展内容', kind: 'textarea', required: true },
    { key: 'public', label: '对企业公开（企业扫码可见）', kind: 'checkbox', initial: false },
    { key: 'contacted', label: '已与企业联系（记为首次联系）', kind: 'checkbox', initial: false },
  ],
  consult: [
    {
      key: 'tier',
      label: '会商层级',
      kind: 'select',
      required: true,
      initial: 'director',
      options: [
        { value: 'director', label: '中心主任协调' },
        { value: 'leader', label: '市领导协调' },
      ],
    },
    { key: 'unitIds', label: '参与会商单位', kind: 'units', required: true },
  ],
  consult_input: [{ key: 'text', label: '会商意见', kind: 'textarea', required: true }],
  decide: [
    { key: 'unitId', label: '牵头单位', kind: 'unit', required: true },
    { key: 'coUnitIds', label: '协办单位（可选）', kind: 'units' },
    { key: 'workingDays', label: '办理时限（工作日）', kind: 'number', required: true, initial: '10' },
    // What was settled goes on the timeline and, with the decision, to the lead and co-units.
    { key: 'note', label: '会商意见（可选，随决定告知牵头和协办单位）', kind: 'textarea' },
  ],
  reply: [{ key: 'text', label: '答复内容', kind: 'textarea', required: true }],
  verify: [],
  send_back: [reason('退回理由')],
  callback: [
    { key: 'reached', label: '是否联系上企业', kind: 'yesno', required: true },
    { key: 'rating', label: '企业评价（可选）', kind: 'select', options: ratingOptions },
    { key: 'level', label: '评价等级（可选）', kind: 'select', options: levelOptions },
    optionalNote('note', '回访记录'),
  ],
  rate: [
    { key: 'rating', label: '评价结果', kind: 'select', required: true, options: ratingOptions },
    { key: 'level', label: '评价等级（可选）', kind: 'select', options: levelOptions },
    optionalNote('comment', '评价意见'),
  ],
  verify_rating: [
    { key: 'reasonable', label: '差评是否合理', kind: 'yesno', required: true },
    { key: 'reason', label: '理由（认定不合理时必填，企业可见）', kind: 'textarea' },
    { key: 'workingDays', label: '整改时限（工作日，可选）', kind: 'number' },
  ],
  merge: [
    {
      key: 'intoId',
      label: '合并到的主工单编号',
      kind: 'issue',
      required: true,
      placeholder: '如 HZ-2026-000123',
    },
  ],
  reject: [reason('不予受理理由（将告知企业）')],
  reopen: [reason('重新启动理由')],
  urge: [optionalNote()],
  // A person's 督办 and 通报 go to the unit with what is asked of it (督查意见); the sweep's own carry none, so
  // the API keeps the note optional.
  supervise: [{ key: 'note', label: '督办要求（随督办告知承办单位）', kind: 'textarea', required: true }],
  bulletin: [{ key: 'note', label: '通报内容（随通报告知承办单位）', kind: 'textarea', required: true }],
  escalate: [{ key: 'reason', label: '提级理由（可选）', kind: 'textarea' }],
  request_callback: [],
  reclassify: [
    { key: 'category', label: '问题类别', kind: 'select', options: categoryOptions, placeholder: '不修改' },
    { key: 'urgency', label: '紧急程度', kind: 'select', options: urgencyOptions, placeholder: '不修改' },
    reason('重新分类理由'),
  ],
  assign: [
    { key: 'userId', label: '指派给', kind: 'member', required: true },
    { key: 'reason', label: '说明（可选）', kind: 'textarea' },
  ],
};

/** A number input's v-model yields a number once edited; everything else is text, a flag or an id list. */
export type FormValues = Record<string, string | number | boolean | string[]>;

export function initialValues(fields: readonly FieldSpec[]): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    if (f.kind === 'units') out[f.key] = [];
    else if (f.kind === 'checkbox') out[f.key] = f.initial === true;
    else out[f.key] = typeof f.initial === 'string' ? f.initial : '';
  }
  return out;
}

/** The request body: empty optional fields are left out; numbers and yes/no become JSON numbers and booleans. */
export function toBody(fields: readonly FieldSpec[], values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = values[f.key];
    const v = typeof raw === 'number' ? String(raw) : raw;
    if (f.kind === 'checkbox') body[f.key] = v === true;
    else if (f.kind === 'units') {
      if (Array.isArray(v) && (v.length || f.required)) body[f.key] = v;
    } else if (typeof v === 'string' && v.trim() !== '') {
      if (f.kind === 'number') body[f.key] = Number(v);
      else if (f.kind === 'yesno') body[f.key] = v === 'yes';
      else body[f.key] = v.trim();
    }
  }
  return body;
}

function isEmpty(v: FormValues[string] | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'string') return v.trim() === '';
  return typeof v === 'number' && Number.isNaN(v);
}

/** What a required field says when left empty: 请选择 for choices, 请填写 for what is typed. */
export function requiredMessage(f: FieldSpec): string {
  const chosen = f.kind !== 'text' && f.kind !== 'textarea' && f.kind !== 'number' && f.kind !== 'issue';
  return `${chosen ? '请选择' : '请填写'}「${f.label}」`;
}

/** A field's value that contradicts another field (the lifecycle's own rules), or null. */
export function fieldProblem(action: ActionId, key: string, values: FormValues): string | null {
  const rating = values.rating;
  const level = values.level;
  if (
    (action === 'callback' || action === 'rate') &&
    key === 'level' &&
    !isEmpty(level) &&
    !isEmpty(rating)
  ) {
    if (ratingOfLevel(level as RatingLevel) !== rating)
      return `「${RATING_LEVEL_LABELS[level as RatingLevel]}」属于${RATING_LABELS[ratingOfLevel(level as RatingLevel)]}，与所选「${RATING_LABELS[rating as 'good' | 'bad']}」不一致`;
  }
  if (action === 'callback' && key === 'rating' && values.reached === 'no' && !isEmpty(rating))
    return '未联系上企业，不能记录评价';
  if (action === 'verify_rating' && key === 'reason' && values.reasonable === 'no' && isEmpty(values.reason))
    return '认定差评不合理（申诉成立）时必须说明理由';
  return null;
}

/**
 * What 重新分类 does beyond the category and urgency, as the server does it (issue-action.command.ts
 * reclassifyRoute, shared/lifecycle/handlers/assignment.ts reclassify): a 待受理 issue is dispatched to the
 * unit its (new) category routes to when routing is sure of one; an unsigned one moves when its category
 * changes, and its deadlines restart; a signed one keeps its unit and promised date.
 */
export function reclassifyNotice(
  issue: { state: string; category: string; urgency: string },
  values: { category?: unknown; urgency?: unknown },
): string {
  const categoryChanges = !!values.category && values.category !== issue.category;
  const urgencyChanges = !!values.urgency && values.urgency !== issue.urgency;
  if (issue.state === 'received')
    return '待受理事项重新分类后，系统将按新的问题类别自动分办：分办规则能确定承办单位的，直接分派至该单位（转为待签收，签收与办理时限从保存时起算）；不能确定的仍留在待受理，由分办员分派。';
  if (issue.state === 'dispatched') {
    if (categoryChanges)
      return '该工单尚未签收：改变问题类别后，如新类别的分办规则指向其他单位，将改派至该单位，签收与办理时限从保存时重新计算。';
    if (urgencyChanges) return '该工单尚未签收：紧急程度改变后，签收与办理时限从保存时重新计算。';
    return '该工单尚未签收：改变问题类别可能改派承办单位，改变紧急程度将重新计算时限。';
  }
  return '该工单已签收：重新分类只更正问题类别和紧急程度，承办单位和承诺办结时限不变。';
}
