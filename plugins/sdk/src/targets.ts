// The hardware targets a plugin can declare (manifest.hardwareTargets, manifest.modes). The host's
// catalog (services/targets/catalog.ts) describes each one; a test keeps the two lists equal.

export const TARGET_IDS = ['cpu-fp32', 'cpu-int8', 'gpu-fp16', 'edgetpu-int8', 'mcu-int8', 'browser-wasm'] as const;
export type TargetId = (typeof TARGET_IDS)[number];

export function isTargetId(value: string): value is TargetId {
  return (TARGET_IDS as readonly string[]).includes(value);
}
