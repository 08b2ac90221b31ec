// The owner's PIN (DESIGN §7: the enterprise's PIN verifies its owner on the QR page), checked alike where
// staff type it (the 设置PIN dialog, which keeps a refused PIN in view) and where the API stores it.
import { z } from 'zod';

/**
 * The PINs a stranger holding the printed code tries first, within the ten tries before the lock: two digits
 * or fewer (111111, 121212), a run up or down (123456, 987654, 890123), a half repeated (123123).
 */
export function isGuessablePin(pin: string): boolean {
  if (new Set(pin).size <= 2) return true;
  const steps = new Set([...pin].slice(1).map((d, i) => (Number(d) - Number(pin[i]) + 10) % 10));
  if (steps.size === 1 && (steps.has(1) || steps.has(9))) return true;
  return pin.slice(0, 3) === pin.slice(3);
}

export const pinSchema = z
  .string({ error: '请输入6位数字PIN' })
  .regex(/^\d{6}$/, { error: 'PIN 须为6位数字' })
  .refine((p) => !isGuessablePin(p), { error: 'PIN 过于简单（如 123456、111111、123123），请换一个' });

/** The first reason a PIN is refused, or null when it may be set. */
export function pinProblem(pin: string): string | null {
  const checked = pinSchema.safeParse(pin);
  return checked.success ? null : (checked.error.issues[0]?.message ?? 'PIN 无效');
}
