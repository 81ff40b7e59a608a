import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WeComSandbox, type SandboxOptions } from '../../tools/sandbox/wecom-sandbox';

export const SANDBOX_APP = { corpId: 'wwsandbox0001', secret: 'sandbox-secret', agentId: 1000002 };

export async function startSandbox(opts: Partial<SandboxOptions> = {}): Promise<{ sandbox: WeComSandbox; url: string }> {
  const sandbox = new WeComSandbox({ ...SANDBOX_APP, ...opts });
  const url = await sandbox.listen();
  return { sandbox, url };
}

/** Runs test/helpers/child.ts in another Node process (a real second process, as in production). */
export async function startChild(
  mode: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; ready: Record<string, unknown>; request<T>(msg: unknown): Promise<T>; stop(): Promise<void> }> {
  const child = fork(path.join(__dirname, 'child.ts'), [mode], {
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    child.once('exit', (code) => reject(new Error(`child ${mode} exited with ${code}`)));
  });
  return {
    child,
    ready,
    request<T>(msg: unknown) {
      return new Promise<T>((resolve) => {
        child.once('message', (m) => resolve(m as T));
        child.send(msg as object);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.send({ cmd: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
