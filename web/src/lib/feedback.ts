// One user action with its feedback in a toast: the success message when it worked, the server's message when
// it failed, and silence when the user cancelled a confirmation box on the way.
import { ElMessage } from 'element-plus';
import { messageOf } from './api.ts';

/** ElMessageBox rejects with these when the user dismisses it. */
const cancelled = (err: unknown) => err === 'cancel' || err === 'close';

/** Runs `act`; true when it succeeded. `success` may depend on what `act` returned. */
export async function attempt<T>(
  act: () => Promise<T>,
  success?: string | ((result: T) => string),
): Promise<boolean> {
  try {
    const result = await act();
    if (success) ElMessage.success(typeof success === 'string' ? success : success(result));
    return true;
  } catch (err) {
    if (!cancelled(err)) ElMessage.error(messageOf(err));
    return false;
  }
}
