/** Runs `server/db/embedded/cli.ts` as a child process and reads its JSON log lines, for the CLI tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface CliProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  uri: string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export async function startCli(args: string[], timeoutMs = 15000): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/db/embedded/cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not start: ${stderr}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      lines.push(parsed);
      if (
        typeof parsed.msg === 'string' &&
        parsed.msg.includes('listening on') &&
        typeof parsed.uri === 'string'
      ) {
        clearTimeout(timer);
        resolve(parsed.uri);
      }
    });
    void exited.then((code) => {
      const logged = lines.map((l) => `[${String(l.level)}] ${String(l.msg)}`).join('\n');
      reject(new Error(`CLI exited with ${code}:\n${logged}\n${stderr}`));
    });
  });
  return { child, lines, uri, exited };
}
