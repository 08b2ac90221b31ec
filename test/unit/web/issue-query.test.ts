// The list's address parser (web/src/lib/issue-query.ts) and the list's query schema (issues.schema.ts) must
// agree: a value the parser keeps and the server refuses turns the list into a red 400, and a value the server
// takes and the parser drops makes a drill-down or a bookmark open a different list than it names.
import { expect } from 'chai';
import { listIssuesQuery } from '../../../server/routes/issues/issues.schema.ts';
import { REGION_CODES } from '../../../config/units.ts';
import { LATE_KINDS } from '../../../shared/kpi.ts';
import { LIST_SCOPES, LIST_SORTS, NO_UNIT } from '../../../shared/issue-list.ts';
import { QUEUE_IDS } from '../../../shared/queues.ts';
import {
  CATEGORY_IDS,
  CHANNEL_IDS,
  ISSUE_STATES,
  URGENCIES,
  WARNING_LEVELS,
} from '../../../shared/states.ts';
import {
  CONTEXT_KEYS,
  EDITABLE_KEYS,
  readFilters,
  type FilterKey,
} from '../../../web/src/lib/issue-query.ts';

/** Paging and the desk's card view: the list screen never puts them in its address. */
const NOT_IN_ADDRESS = ['limit', 'cursor', 'view'];

interface ZodNode {
  _zod: { def: Record<string, unknown> & { type: string } };
}
/** Every literal or enum value a schema names, through optional, pipe, array, union and default. */
function namedValues(node: ZodNode): string[] {
  const def = node._zod.def;
  if (def.type === 'enum') return Object.values(def.entries as Record<string, string>);
  if (def.type === 'literal') return (def.values as unknown[]).map(String);
  const children = ['innerType', 'in', 'out', 'element', 'options'].flatMap((k) => def[k] ?? []);
  return (children as ZodNode[]).flatMap(namedValues);
}

const shape = (listIssuesQuery as unknown as { in: { shape: Record<string, ZodNode> } }).in.shape;
const addressKeys: readonly FilterKey[] = [...EDITABLE_KEYS, ...CONTEXT_KEYS];

// Every value either side could know of, plus values neither does.
const candidates = [
  ...new Set([
    ...Object.values(shape).flatMap(namedValues),
    ...ISSUE_STATES,
    ...CATEGORY_IDS,
    ...URGENCIES,
    ...WARNING_LEVELS,
    ...CHANNEL_IDS,
    ...QUEUE_IDS,
    ...LATE_KINDS,
    ...LIST_SORTS,
    ...LIST_SCOPES,
    ...REGION_CODES,
    NO_UNIT,
    'number',
    'cards',
    'bogus',
    '65a1b2c3d4e5f60718293a4b',
    '2026-12-01T00:00:00.000Z',
  ]),
];

const webKeeps = (key: FilterKey, v: string) => readFilters({ [key]: v }).filters[key] === v;
const serverTakes = (key: string, v: string) => listIssuesQuery.safeParse({ [key]: v }).success;

describe('issue list address (web lib/issue-query) against the list query schema', () => {
  it('reads every filter the list takes, and only those', () => {
    const listed = Object.keys(shape).filter((k) => !NOT_IN_ADDRESS.includes(k));
    expect([...addressKeys].sort()).to.deep.equal(listed.sort());
  });

  it('keeps exactly the values the list takes, key by key', () => {
    const disagreements: string[] = [];
    for (const key of addressKeys) {
      // Regions: the address keeps the directory's own (config/units.ts); the list takes any code shaped like
      // one and finds no issues under a region that does not exist.
      if (key === 'region') continue;
      for (const v of candidates)
        if (webKeeps(key, v) !== serverTakes(key, v))
          disagreements.push(`${key}=${v}: web ${webKeeps(key, v) ? 'keeps' : 'drops'} it`);
    }
    expect(disagreements).to.deep.equal([]);
  });

  it('keeps no region the list would refuse, and every region of the directory', () => {
    for (const v of candidates) if (webKeeps('region', v)) expect(serverTakes('region', v), v).to.equal(true);
    for (const v of REGION_CODES) expect(webKeeps('region', v), v).to.equal(true);
  });
});
