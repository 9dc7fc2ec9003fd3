import { library } from "@dotorm/tsup-config";
import { defineConfig } from "tsup";

export default defineConfig(library);
