import { apiRoles } from "./suites/api-roles.js";
import { mariadb } from "./targets.js";

await apiRoles(mariadb);
