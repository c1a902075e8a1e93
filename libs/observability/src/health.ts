export type Check = () => Promise<void>;

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

/** Runs every named check with a timeout; ready only if all pass. */
export async function checkReadiness(checks: Record<string, Check>, timeoutMs = 2_000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs, `${name} check timed out after ${timeoutMs} ms`);
        return [name, { status: 'up' as const }] as const;
      } catch (error) {
        return [name, { status: 'down' as const, error: error instanceof Error ? error.message : String(error) }] as const;
      }
    }),
  );
  const report = Object.fromEntries<ReadinessReport['checks'][string]>(entries);
  return { status: entries.every(([, result]) => result.status === 'up') ? 'ready' : 'not-ready', checks: report };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
