/** The models in the navigation, with their titles; any other table still works at `/<table>`. */
export const navModels: { table: string; title: string; admin?: boolean }[] = [
  { table: "leads", title: "Leads" },
  { table: "partners", title: "Partners" },
  { table: "activities", title: "Activities" },
  { table: "sales", title: "Sales" },
  { table: "products", title: "Products" },
  { table: "projects", title: "Projects" },
  { table: "tasks", title: "Tasks" },
  { table: "users", title: "Users", admin: true },
  { table: "roles", title: "Roles", admin: true },
  { table: "access_list", title: "Access lists", admin: true },
  { table: "rules", title: "Rules", admin: true },
];

/** A readable title for a table name (`lead_stages` -> "Lead stages"). */
export function titleOf(table: string): string {
  const known = navModels.find((m) => m.table === table);
  if (known) return known.title;
  const words = table.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A readable label for a field: its label when it differs from the name, else the name without `_id(s)`. */
export function labelOf(f: { name: string; label: string }): string {
  if (f.label && f.label !== f.name) return f.label;
  const words = f.name.replace(/_ids?$/, "").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
