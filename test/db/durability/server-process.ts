/**
 * Runs the real embedded server CLI as a child process, so the crash test can kill -9 it exactly as an
 * operator's machine would: no clean shutdown, no flush, no checkpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServerProcess {
  uri: string;
  child: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output(): string;
  kill9(): Promise<void>;
  /** SIGTERM: the clean shutdown path (drain, checkpoint, release the dbpath). */
  stop(): Promise<void>;
}

const started = new Set<ServerProcess>();

/** Kills (SIGKILL, by pid) every server this module started that is still running; for test teardown. */
export async function killStartedServers(): Promise<void> {
  await Promise.all([...started].map((server) => server.kill9()));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

/** `nodeArgs` go to node itself (before the script), e.g. `--max-old-space-size=96`. */
export async function startServerProcess(
  dbpath: string,
  extraArgs: string[] = [],
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const args = ['--import', 'tsx', 'server/db/embedded/cli.ts', '--port', String(port), '--dbpath', dbpath];
  const child = spawn(process.execPath, [...nodeArgs, ...args, ...extraArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const uri = `mongodb://127.0.0.1:${port}/`;
  const server: ServerProcess = {
    uri,
    child,
    output: () => output,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      started.delete(server);
    },
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      started.delete(server);
      if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM:\n${output}`);
    },
  };
  started.add(server);
  await waitUntilServing(uri, exited, () => output);
  return server;
}

/** Polls with the official driver until the server answers ping, or fails with its output if it exits. */
async function waitUntilServing(
  uri: string,
  exited: Promise<number | null>,
  output: () => string,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  for (let attempt = 0; attempt < 300; attempt++) {
    if (exitCode !== undefined)
      throw new Error(`server exited with ${exitCode} before serving:\n${output()}`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 200, directConnection: true });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  throw new Error(`server did not start serving:\n${output()}`);
}
