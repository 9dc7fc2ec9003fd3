import type { Options } from "tsup";
/** How every published package builds. */
export declare const library: Options;
