import { apiRoles } from "./suites/api-roles.js";
import { pgServer } from "./targets.js";

await apiRoles(pgServer);
