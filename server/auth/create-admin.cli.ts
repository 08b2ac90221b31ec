// `npm run create-admin -- <username>`: creates an admin account in the configured database (MONGODB_URI, or
// the embedded database under DATA_DIR — stop the server first, the embedded store is single-process).
// The password comes from ADMIN_PASSWORD or is asked for without echo.
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../config.ts';
import { connectDatabase } from '../db/connect.ts';
import { createLogger } from '../logger.ts';
import { createModels, ensureIndexes } from '../models/index.ts';
import { USERNAME_PATTERN } from '../models/user.model.ts';
import { createAdmin } from './bootstrap-admin.ts';

async function askHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stdout.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = rl.question(prompt);
  muted = true;
  const value = await answer;
  rl.close();
  process.stdout.write('\n');
  return value;
}

async function run(): Promise<void> {
  // The CLI needs no JWT secret: parse as demo so only the database keys matter.
  const config = loadConfig({ ...process.env, JWT_SECRET: undefined, DEMO: '1' });
  const username = (process.argv[2] ?? config.adminUsername ?? '').trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) {
    console.error('用法: npm run create-admin -- <username>   (2-32 位小写字母、数字或 _ . -)');
    process.exitCode = 2;
    return;
  }
  const password = config.adminPassword ?? (await askHidden(`为 ${username} 设置密码（至少10位）: `));
  if (password.length < 10) {
    console.error('密码至少10位');
    process.exitCode = 2;
    return;
  }
  const logger = createLogger('warn');
  const db = await connectDatabase(config, logger);
  try {
    const models = createModels(db.conn);
    await ensureIndexes(models);
    const user = await createAdmin(models, username, password);
    console.log(`已创建管理员账号 ${user.username}`);
  } finally {
    await db.close();
  }
}

run().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
