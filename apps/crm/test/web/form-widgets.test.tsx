// @vitest-environment happy-dom
import { MantineProvider } from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, test } from "vitest";
import type { FieldMeta } from "../../src/web/api/client";
import { closure, cycleThrough, effectiveRights } from "../../src/web/admin/role-graph";
import { FieldWidget } from "../../src/web/views/FieldWidget";
import { draftOf, lineColumns } from "../../src/web/views/one2many";
import { commandsOf, toApiValue } from "../../src/web/views/values";

// happy-dom has no FontFaceSet, which autosizing textareas listen to
if (!("fonts" in document))
  Object.defineProperty(document, "fonts", { value: { addEventListener() {}, removeEventListener() {} } });

const field = (name: string, type: string, extra: Partial<FieldMeta> = {}): FieldMeta => ({
  name,
  type,
  label: name,
  required: false,
  readonly: false,
  ...extra,
});

/** One widget with its value kept in state; every value it reports is pushed to `seen`. */
function Harness({
  f,
  initial,
  creating,
  seen,
}: {
  f: FieldMeta;
  initial: unknown;
  creating: boolean;
  seen: unknown[];
}) {
  const [value, setValue] = useState<unknown>(initial);
  return (
    <FieldWidget
      field={f}
      creating={creating}
      value={value}
      onChange={(v) => {
        seen.push(v);
        setValue(v);
      }}
    />
  );
}

/** Renders one widget with its value kept in state; returns every value it reported. */
function renderWidget(f: FieldMeta, initial: unknown, creating = false) {
  const seen: unknown[] = [];
  render(
    <MantineProvider>
      <DatesProvider settings={{}}>
        <QueryClientProvider client={new QueryClient()}>
          <Harness f={f} initial={initial} creating={creating} seen={seen} />
        </QueryClientProvider>
      </DatesProvider>
    </MantineProvider>,
  );
  return seen;
}

/** The input an accessible name labels (Mantine may also label a list with it). */
const input = (name: string) =>
  screen
    .getAllByLabelText(name, { exact: false })
    .find(
      (e): e is HTMLInputElement | HTMLTextAreaElement =>
        e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement,
    ) as HTMLInputElement;

describe("form field widgets: one per type, required/readonly/maxLength from the metadata", () => {
  afterEach(cleanup);

  test("char: maxLength and required from the metadata; typing reports the text", () => {
    const seen = renderWidget(field("name", "char", { required: true, maxLength: 12 }), "");
    const el = input("Name");
    expect(el.maxLength).toBe(12);
    expect(el.required).toBe(true);
    fireEvent.change(el, { target: { value: "Acme" } });
    expect(seen).toEqual(["Acme"]);
  });

  test("readonly fields are read-only when editing but can be set when creating", () => {
    renderWidget(field("code", "char", { readonly: true, required: true }), "A-1");
    expect(input("Code").readOnly).toBe(true);
    expect(input("Code").required).toBe(false);
    cleanup();
    const seen = renderWidget(field("code", "char", { readonly: true }), "", true);
    expect(input("Code").readOnly).toBe(false);
    fireEvent.change(input("Code"), { target: { value: "B-2" } });
    expect(seen).toEqual(["B-2"]);
  });

  test("text: a textarea", () => {
    const seen = renderWidget(field("description", "text"), "first");
    const el = input("Description");
    expect(el.tagName).toBe("TEXTAREA");
    fireEvent.change(el, { target: { value: "first\nsecond" } });
    expect(seen).toEqual(["first\nsecond"]);
  });

  test("integer: a number, and emptied becomes null", () => {
    const seen = renderWidget(field("probability", "smallInteger"), 10);
    const el = input("Probability");
    expect(el.value).toBe("10");
    fireEvent.change(el, { target: { value: "42" } });
    fireEvent.change(el, { target: { value: "" } });
    expect(seen).toEqual([42, null]);
  });

  test("decimal: kept as the text typed (no float rounding), entered with a decimal keyboard", () => {
    const seen = renderWidget(field("expected_revenue", "decimal", { precision: 14, scale: 2 }), "1200.50");
    const el = input("Expected revenue");
    expect(el.value).toBe("1200.50");
    expect(el.inputMode).toBe("decimal");
    fireEvent.change(el, { target: { value: "0.10" } });
    expect(seen).toEqual(["0.10"]);
  });

  test("boolean: a checkbox", () => {
    const seen = renderWidget(field("is_company", "boolean"), false);
    const el = screen.getByRole("checkbox", { name: "Is company" });
    fireEvent.click(el);
    expect(seen).toEqual([true]);
  });

  test("selection: the metadata's options, by label; the value is the key", () => {
    const seen = renderWidget(
      field("priority", "selection", {
        options: [
          ["0", "Normal"],
          ["3", "Excellent"],
        ],
      }),
      "0",
    );
    expect(input("Priority").value).toBe("Normal");
    fireEvent.click(input("Priority"));
    fireEvent.click(screen.getByRole("option", { name: "Excellent", hidden: true }));
    expect(seen).toEqual(["3"]);
  });

  test("date: shown as YYYY-MM-DD", () => {
    renderWidget(field("deadline", "date"), "2026-03-01");
    expect(input("Deadline").value).toContain("2026-03-01");
  });

  test("datetime: an instant shown in the browser's time zone", () => {
    const iso = "2026-03-01T12:34:00.000Z";
    renderWidget(field("confirmed_at", "datetime"), iso);
    const d = new Date(iso);
    const local = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")} ${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
    const shown = screen.getAllByText(local, { exact: false });
    expect(shown.length).toBeGreaterThan(0);
  });

  test("json: pretty-printed; invalid JSON is named on blur", () => {
    renderWidget(field("domain", "json"), [["user_id", "=", 1]]);
    const el = input("Domain");
    expect(JSON.parse(el.value)).toEqual([["user_id", "=", 1]]);
    fireEvent.change(el, { target: { value: "[oops" } });
    fireEvent.blur(el);
    expect(screen.getByText("not valid JSON")).toBeTruthy();
  });

  test("one2many outside a table shows how many records it holds, read-only", () => {
    renderWidget(field("line_ids", "one2many", { relation: { model: "sale_lines", kind: "one2many" } }), [
      { id: 1 },
      { id: 2 },
    ]);
    expect(input("Line").value).toBe("2 records");
    expect(input("Line").readOnly).toBe(true);
  });

  test("a server error is shown on the field it names", () => {
    render(
      <MantineProvider>
        <FieldWidget
          field={field("email", "char")}
          creating={false}
          value="x"
          error="email must be an address"
          onChange={() => {}}
        />
      </MantineProvider>,
    );
    expect(input("Email").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("email must be an address")).toBeTruthy();
  });
});

describe("form values as the API takes them", () => {
  const partner = field("partner_id", "many2one", { relation: { model: "partners", kind: "many2one" } });
  const tags = field("tag_ids", "many2many", { relation: { model: "lead_tags", kind: "many2many" } });
  test("many2one -> id, many2many -> ids, empty -> null, JSON text -> JSON", () => {
    expect(toApiValue(partner, { id: 7, name: "Acme" })).toBe(7);
    expect(toApiValue(partner, null)).toBeNull();
    expect(toApiValue(tags, [{ id: 1, name: "a" }, 2])).toEqual([1, 2]);
    expect(toApiValue(field("deadline", "date"), "")).toBeNull();
    expect(toApiValue(field("name", "char"), "")).toBe("");
    expect(toApiValue(field("domain", "json"), '[["a","=",1]]')).toEqual([["a", "=", 1]]);
  });

  test("a one2many table's edits become relation commands: create new lines, update changed fields only, delete removed lines", () => {
    const lineFields = [
      field("id", "integer", { readonly: true }),
      field("sale_id", "many2one", { required: true, relation: { model: "sales", kind: "many2one" } }),
      field("product_id", "many2one", { required: true, relation: { model: "products", kind: "many2one" } }),
      field("quantity", "decimal"),
      field("price_unit", "decimal"),
      field("subtotal", "decimal", { readonly: true }),
    ];
    const columns = lineColumns(lineFields, "sales");
    expect(columns.map((c) => c.name)).toEqual(["product_id", "quantity", "price_unit", "subtotal"]);
    const stored = draftOf(
      [
        { id: 7, product_id: { id: 1, name: "Chair" }, quantity: "1.00", price_unit: "10.00", subtotal: "10.00" },
        { id: 9, product_id: { id: 2, name: "Desk" }, quantity: "1.00", price_unit: "90.00", subtotal: "90.00" },
      ],
      columns,
    );
    expect(commandsOf(stored)).toEqual({});
    const [first] = stored.lines;
    const edited = {
      ...stored,
      lines: [
        {
          ...(first as (typeof stored.lines)[number]),
          values: { ...first?.values, quantity: "5", subtotal: "50.00" },
          changed: ["quantity", "subtotal"],
        },
        { key: "new-1", values: { product_id: { id: 3, name: "Lamp" }, quantity: "2" }, changed: [] },
      ],
      deleted: [9],
    };
    expect(commandsOf(edited)).toEqual({
      create: [{ product_id: 3, quantity: "2" }],
      update: { "7": { quantity: "5" } },
      delete: [9],
    });
    expect(
      toApiValue(field("line_ids", "one2many", { relation: { model: "sale_lines", kind: "one2many" } }), edited),
    ).toEqual(commandsOf(edited));
    // records as read (no edit) are not sent
    expect(
      toApiValue(field("line_ids", "one2many", { relation: { model: "sale_lines", kind: "one2many" } }), [{ id: 7 }]),
    ).toBeUndefined();
  });
});

describe("role inheritance", () => {
  const roles = [
    { id: 1, code: "salesperson", name: "Salesperson", based_role_ids: [] },
    { id: 2, code: "sales_manager", name: "Sales manager", based_role_ids: [1] },
    { id: 3, code: "director", name: "Director", based_role_ids: [2] },
  ];
  test("a role has what it inherits through others", () => {
    expect([...closure(3, roles)].sort()).toEqual([1, 2, 3]);
    expect([...closure(1, roles)]).toEqual([1]);
  });
  test("a change that would make a role inherit from itself is found, naming the way back", () => {
    expect(cycleThrough(1, [3], roles)).toEqual([3]);
    expect(cycleThrough(1, [], roles)).toEqual([]);
    expect(cycleThrough(3, [1], roles)).toEqual([]);
  });
  test("effective rights: the role's own, its inherited roles', and rows for everyone", () => {
    const rows = [
      { model: "leads", role_id: 1, perm_read: true, perm_create: true, perm_update: false, perm_delete: false },
      { model: "leads", role_id: 2, perm_read: true, perm_create: false, perm_update: true, perm_delete: true },
      { model: "products", role_id: null, perm_read: true, perm_create: false, perm_update: false, perm_delete: false },
      { model: "secrets", role_id: 9, perm_read: true, perm_create: true, perm_update: true, perm_delete: true },
    ];
    const director = effectiveRights(3, roles, rows);
    expect([...director.keys()]).toEqual(["leads", "products"]);
    expect(director.get("leads")).toEqual({ perm_read: [1, 2], perm_create: [1], perm_update: [2], perm_delete: [2] });
    expect(director.get("products")?.perm_read).toEqual([0]);
    expect(effectiveRights(1, roles, rows).get("leads")?.perm_delete).toEqual([]);
  });
});
