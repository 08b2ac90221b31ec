// Mongoose's `maxlength` counts UTF-16 units, the API's limits count characters (charCount in shared/schemas.ts,
// as zod does): a title of emoji the API took would then fail here, with mongoose's English message quoting it.
import { charCount } from '../../shared/schemas.ts';

/** A string path's validator: at most `max` characters (a missing value is `required`'s business). */
export function maxChars(max: number) {
  return {
    validator: (value: unknown) => typeof value !== 'string' || charCount(value) <= max,
    message: `不能超过${max}个字`,
  };
}
