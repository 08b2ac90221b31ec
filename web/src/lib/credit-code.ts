// A credit code typed into a form, checked as the API checks it (shared/schemas creditCodeSchema: GB 32100-2015
// check character); the message is the schema's, thrown for the form to show.
import { creditCodeSchema } from '../../../shared/schemas.ts';

export function checkedCreditCode(code: string): string {
  const checked = creditCodeSchema.safeParse(code);
  if (!checked.success) throw new Error(checked.error.issues[0]?.message ?? '统一社会信用代码无效');
  return checked.data;
}
