/** Stops containers the global setup started (nothing when the infrastructure came from outside). */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __stopTestInfra?: () => Promise<void> }).__stopTestInfra?.();
}
