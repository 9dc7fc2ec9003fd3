import { library } from "@dotorm/tsup-config";
import { defineConfig } from "tsup";

// shims: the docs page finds its bundled Swagger UI files through import.meta.url in the CJS build too
export default defineConfig({ ...library, shims: true });
