import { library } from "@dotorm/tsup-config";
import { defineConfig } from "tsup";

// The library (defineConfig, runCli) plus the `dotorm` binary.
export default defineConfig({ ...library, entry: ["src/index.ts", "src/cli.ts"] });
