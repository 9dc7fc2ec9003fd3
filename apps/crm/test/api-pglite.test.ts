import { apiRoles } from "./suites/api-roles.js";
import { pglite } from "./targets.js";

await apiRoles(pglite);
