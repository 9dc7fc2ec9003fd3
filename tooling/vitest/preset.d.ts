import type { ViteUserConfig } from "vitest/config";
/** Shared vitest settings. */
export declare const preset: ViteUserConfig;
