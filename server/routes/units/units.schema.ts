// Query filters for GET /api/units.
import { z } from 'zod';
import { CATEGORY_IDS, UNIT_LEVELS } from '../../../shared/states.ts';

export const listUnitsQuery = z.object({
  level: z.enum(UNIT_LEVELS, { error: '单位层级无效' }).optional(),
  region: z.string().trim().min(1).max(40).optional(),
  category: z.enum(CATEGORY_IDS, { error: '问题类别无效' }).optional(),
});
