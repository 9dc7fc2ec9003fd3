// @vitest-environment happy-dom
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, test } from "vitest";
import type { FieldMeta } from "../../src/web/api/client";
import { FilterBar } from "../../src/web/views/FilterBar";
import { type Condition, type Filter, buildFilter, operatorsFor } from "../../src/web/views/filters";

const fields: FieldMeta[] = [
  { name: "id", type: "integer", label: "id", required: true, readonly: true },
  { name: "name", type: "char", label: "name", required: true, readonly: false, maxLength: 255 },
  {
    name: "expected_revenue",
    type: "decimal",
    label: "expected_revenue",
    required: false,
    readonly: false,
    precision: 14,
    scale: 2,
  },
  { name: "probability", type: "smallInteger", label: "probability", required: false, readonly: false },
  { name: "is_won", type: "boolean", label: "is_won", required: false, readonly: false },
  { name: "deadline", type: "date", label: "deadline", required: false, readonly: false },
  { name: "created_at", type: "datetime", label: "created_at", required: false, readonly: true },
  {
    name: "priority",
    type: "selection",
    label: "priority",
    required: false,
    readonly: false,
    options: [
      ["0", "Normal"],
      ["3", "Excellent"],
    ],
  },
  {
    name: "stage_id",
    type: "many2one",
    label: "stage_id",
    required: true,
    readonly: false,
    relation: { model: "lead_stages", kind: "many2one" },
  },
  {
    name: "tag_ids",
    type: "many2many",
    label: "tag_ids",
    required: false,
    readonly: false,
    relation: { model: "lead_tags", kind: "many2many" },
  },
];

describe("buildFilter: the filter bar's conditions become a DotORM filter", () => {
  test("text, numbers, decimals, booleans, dates and selections keep their operator and a typed value", () => {
    const c: Condition[] = [
      { field: "name", op: "ilike", value: "acme" },
      { field: "probability", op: ">=", value: "40" },
      { field: "expected_revenue", op: "<", value: "1000.50" },
      { field: "is_won", op: "=", value: "false" },
      { field: "deadline", op: "<=", value: "2026-12-31" },
      { field: "priority", op: "!=", value: "0" },
    ];
    expect(buildFilter(c, fields)).toEqual([
      ["name", "ilike", "acme"],
      ["probability", ">=", 40],
      ["expected_revenue", "<", "1000.50"],
      ["is_won", "=", false],
      ["deadline", "<=", "2026-12-31"],
      ["priority", "!=", "0"],
    ]);
  });

  test("relations filter by the picked record's id; x2many through `.id`; empty checks become = / != null", () => {
    expect(
      buildFilter(
        [
          { field: "stage_id", op: "=", value: { id: 5, name: "Won" } },
          { field: "tag_ids", op: "=", value: { id: 2, name: "hot" } },
          { field: "deadline", op: "is null", value: null },
          { field: "stage_id", op: "is not null", value: "ignored" },
        ],
        fields,
      ),
    ).toEqual([
      ["stage_id", "=", 5],
      ["tag_ids.id", "=", 2],
      ["deadline", "=", null],
      ["stage_id", "!=", null],
    ]);
  });

  test("unfinished or malformed conditions are left out, never sent half-built", () => {
    expect(
      buildFilter(
        [
          { field: "name", op: "ilike", value: "" },
          { field: "probability", op: ">", value: "forty" },
          { field: "probability", op: ">", value: "1; drop table" },
          { field: "is_won", op: "=", value: "maybe" },
          { field: "deadline", op: ">=", value: "31/12/2026" },
          { field: "stage_id", op: "=", value: "Won" },
          { field: "nope", op: "=", value: "x" },
          { field: "name", op: "between", value: "a" },
        ],
        fields,
      ),
    ).toEqual([]);
  });

  test("a day typed for a datetime covers the whole local day", () => {
    const f = buildFilter([{ field: "created_at", op: "=", value: "2026-03-01" }], fields);
    const start = new Date("2026-03-01T00:00:00").toISOString();
    const end = new Date(new Date("2026-03-01T00:00:00").getTime() + 86_400_000).toISOString();
    expect(f).toEqual([
      ["created_at", ">=", start],
      ["created_at", "<", end],
    ]);
  });

  test("operators depend on the field type", () => {
    expect(operatorsFor({ type: "char" })[0]).toBe("ilike");
    expect(operatorsFor({ type: "boolean" })).toEqual(["="]);
    expect(operatorsFor({ type: "decimal" })).toContain(">=");
    expect(operatorsFor({ type: "many2one" })).not.toContain("ilike");
  });
});

/** The filter bar with its conditions kept in state; reports every filter it builds. */
function Harness({ onFilter }: { onFilter(f: Filter): void }) {
  const [conditions, setConditions] = useState<Condition[]>([]);
  return (
    <FilterBar
      fields={fields}
      conditions={conditions}
      onChange={(c, f) => {
        setConditions(c);
        onFilter(f);
      }}
    />
  );
}

describe("FilterBar component", () => {
  afterEach(cleanup);

  /** The input an accessible name labels (Mantine also labels the option list with it). */
  const input = (name: string) =>
    screen
      .getAllByLabelText(name)
      .find((e): e is HTMLInputElement => e instanceof HTMLInputElement) as HTMLInputElement;
  const renderBar = () => {
    const seen: Filter[] = [];
    render(
      <MantineProvider>
        <QueryClientProvider client={new QueryClient()}>
          <Harness onFilter={(f) => seen.push(f)} />
        </QueryClientProvider>
      </MantineProvider>,
    );
    return seen;
  };

  test("adding a filter starts on the name field with 'contains'; typing builds the filter; removing clears it", () => {
    const seen = renderBar();
    fireEvent.click(screen.getByRole("button", { name: "Add filter" }));
    expect(seen.at(-1)).toEqual([]);
    expect(input("Filter 1 operator").value).toBe("contains");
    fireEvent.change(input("Filter 1 value"), { target: { value: "acme" } });
    expect(seen.at(-1)).toEqual([["name", "ilike", "acme"]]);
    fireEvent.click(screen.getByRole("button", { name: "Add filter" }));
    fireEvent.change(input("Filter 2 value"), { target: { value: "ac" } });
    expect(seen.at(-1)).toEqual([
      ["name", "ilike", "acme"],
      ["name", "ilike", "ac"],
    ]);
    fireEvent.click(screen.getByRole("button", { name: "Remove filter 1" }));
    expect(seen.at(-1)).toEqual([["name", "ilike", "ac"]]);
    fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(seen.at(-1)).toEqual([]);
    expect(screen.queryByTestId("filter-row")).toBeNull();
  });
});
