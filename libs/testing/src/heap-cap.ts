/**
 * Node options that cap a service's V8 heap at `oldSpaceMb` of old space, with a young generation
 * sized to match. Node 24's V8 grows each semi-space to 64 MB under allocation pressure whatever
 * --max-old-space-size says; once the young generation nears the old space's cap, V8 runs a full
 * mark-compact every few milliseconds (a 1M-member import under a 160 MB cap: 15 CPU-s instead of
 * 3, 12.3 s instead of 8.2 s). A semi-space of a tenth of the old space (1-16 MB) avoids that.
 * deploy/k8s sets the same pair (test/deploy/k8s.spec.ts checks the ratio).
 */
export function heapCapOptions(oldSpaceMb: number): string {
  return `--max-old-space-size=${oldSpaceMb} --max-semi-space-size=${semiSpaceMbFor(oldSpaceMb)}`;
}

export function semiSpaceMbFor(oldSpaceMb: number): number {
  return Math.max(1, Math.min(16, Math.floor(oldSpaceMb / 10)));
}

/** A service's environment with its heap capped at `heapMb` (none: as it is), its own NODE_OPTIONS kept after the cap. */
export function withHeapCap(env: Record<string, string>, heapMb: string | number | undefined): Record<string, string> {
  if (!heapMb) return env;
  return { ...env, NODE_OPTIONS: [heapCapOptions(Number(heapMb)), env.NODE_OPTIONS].filter(Boolean).join(' ') };
}
