// An enterprise's township (乡镇/街道 unit code), which intake routes local matters to first
// (shared/route-issue.ts): read from the address when staff leave it out (config/units.ts townshipInAddress),
// or as staff chose it, then only a township unit of the enterprise's own county (a township of another county
// would send its issues to the wrong place). Used by the enterprise form and its import (whose 所在乡镇 column
// names one by its name or code).
import { REGION_LABELS, townshipInAddress, type RegionCode } from '../../config/units.ts';
import { AppError, badRequest } from '../errors.ts';
import type { Models } from '../models/index.ts';

/** A township staff named: it must be a township unit, of `region`. */
export async function checkTownship(models: Models, region: string, code: string): Promise<void> {
  const unit = await models.Unit.findOne({ code, level: 'township' }, { region: 1, name: 1 }).lean();
  if (!unit) throw badRequest(`乡镇/街道「${code.slice(0, 40)}」不存在`, 'unknown_township');
  if (unit.region !== region)
    throw badRequest(`${unit.name}不属于企业所在区县，请重新选择乡镇/街道`, 'township_region_mismatch');
}

/**
 * The township to store: as given, checked, or empty when staff said none (kept, so the start-up backfill
 * never reads one from the address over their choice); else the one the address names. Undefined: none known.
 */
export async function townshipFor(
  models: Models,
  e: { region: string; address?: string; township?: string },
): Promise<string | undefined> {
  if (e.township === undefined) return townshipInAddress(e.region, e.address) ?? undefined;
  if (e.township) await checkTownship(models, e.region, e.township);
  return e.township;
}

/**
 * A correction's township: as given (empty clears it), checked against the county it will be in; else, when the
 * county changes, the one the address names there (the old one is of the old county). Undefined: unchanged;
 * null: none known.
 */
export async function townshipChange(
  models: Models,
  before: { region: string; address?: string },
  input: { region?: string; address?: string; township?: string },
): Promise<string | null | undefined> {
  const region = input.region ?? before.region;
  const address = input.address ?? before.address;
  if (input.township === undefined && region === before.region) return undefined;
  return (await townshipFor(models, { region, address, township: input.township })) ?? null;
}

/**
 * An import row's 所在乡镇: a township unit's full name (递铺街道) or code, read in the row's county first, and
 * checked as the form's choice is. Refused with the form's codes and a message naming what the row said and the
 * county's townships, for the import's per-row report.
 */
export async function townshipOfRow(models: Models, region: string, given: string): Promise<string> {
  const named = await models.Unit.find(
    { level: 'township', $or: [{ name: given }, { code: given.toLowerCase() }] },
    { code: 1, region: 1 },
  ).lean();
  const code = (named.find((u) => u.region === region) ?? named[0])?.code ?? given;
  try {
    await checkTownship(models, region, code);
    return code;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const county = REGION_LABELS[region as RegionCode] ?? region;
    const own = await models.Unit.find({ level: 'township', region }, { name: 1 }).sort({ code: 1 }).lean();
    const choices = own.length ? `，应为${own.map((u) => u.name).join('、')}之一` : '';
    const said = `所在乡镇「${given.slice(0, 40)}」`;
    throw badRequest(
      err.code === 'township_region_mismatch'
        ? `${said}不属于${county}${choices}`
        : `${said}不存在${choices}`,
      err.code,
    );
  }
}
