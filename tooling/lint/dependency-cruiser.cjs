// Import rules for every package's src/, checked by `pnpm lint` (dependency-cruiser).
// Type-only imports count: a cycle through types is still a cycle for the reader.
// The core layers follow the pipeline in docs/architecture.md; each may import only the layers listed.

/** The folders of core, each with the folders it may import (errors.ts and index.ts are outside them). */
const order = ["model", "query", "define", "access", "hydrate", "sql", "insight", "run", "migrate"];
const coreLayers = Object.fromEntries(order.map((folder, i) => [folder, order.slice(0, i)]));
const folders = Object.keys(coreLayers);

const layerRules = folders.map((folder) => {
  const denied = folders.filter((other) => other !== folder && !coreLayers[folder].includes(other));
  return {
    name: `core-${folder}-layer`,
    comment: `core/src/${folder}/ may import only ${coreLayers[folder].join(", ") || "errors.ts"} (docs/architecture.md)`,
    severity: "error",
    from: { path: `^packages/core/src/${folder}/` },
    to: { path: `^packages/core/src/(${denied.join("|")})/` },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import cycles in any package's source, type-only imports included.",
      severity: "error",
      from: { path: "^(packages|apps)/[^/]+/src/" },
      to: { circular: true },
    },
    {
      name: "no-adapter-imports",
      comment: "Only apps, bench and tests import an adapter; the CLI loads the user's adapter at run time.",
      severity: "error",
      from: { path: "^packages/(core|rest|cli|testkit)/src/" },
      to: { path: "(^|/)packages/(postgres|mysql|clickhouse)/|node_modules/@dotorm/(postgres|mysql|clickhouse)/" },
    },
    {
      name: "core-is-the-bottom",
      comment: "core imports no other package of ours.",
      severity: "error",
      from: { path: "^packages/core/src/" },
      to: { path: "(^|/)packages/(?!core/)[^/]+/|node_modules/@dotorm/" },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.depcruise.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "default"], extensions: [".ts", ".tsx", ".js"] },
  },
};
