// Login and logout. Login answers ONE generic error for an unknown user or a wrong password, and spends the
// same scrypt time in every case, so neither the message nor the timing tells an attacker which usernames
// exist. Only someone who typed the right password learns that the account is disabled (so they call the admin
// instead of retrying). Logout bumps tokenVersion, revoking every token of that user.
import type { Clock } from '../../shared/clock.ts';
import type { Actor } from '../../shared/roles.ts';
import { forbidden, unauthorized } from '../errors.ts';
import type { Models, UserDoc } from '../models/index.ts';
import { dummyVerify, verifyPassword } from './password.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { TokenSigner } from './token.ts';

export interface AuthDeps {
  models: Models;
  tokens: TokenSigner;
  clock: Clock;
  /** Per-account attempt limit and progressive delay (the API always passes one). */
  throttle?: LoginThrottle;
}

export async function loginCommand(
  deps: AuthDeps,
  input: { username: string; password: string },
  /** The account's known device the attempt comes from (device-cookie.ts), if any. */
  device?: (username: string) => string | undefined,
): Promise<{ token: string; user: UserDoc; device?: string }> {
  const username = input.username.trim().toLowerCase();
  const known = device?.(username);
  await deps.throttle?.admit(username, known);
  const user = await deps.models.User.findOne({ username }).lean();
  const ok = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await dummyVerify(input.password);
  if (!user || !ok) throw unauthorized('用户名或密码错误', 'invalid_credentials');
  if (user.disabled) throw forbidden('账号已停用，请联系管理员', 'account_disabled');
  await Promise.all([
    deps.models.User.updateOne({ _id: user._id }, { $set: { lastLoginAt: deps.clock.now() } }),
    deps.throttle?.succeeded(username, known),
  ]);
  return { token: deps.tokens.sign(String(user._id), user.tokenVersion), user, device: known };
}

export async function logoutCommand(deps: Pick<AuthDeps, 'models'>, actor: Actor): Promise<void> {
  await deps.models.User.updateOne({ _id: actor.id }, { $inc: { tokenVersion: 1 } });
}
