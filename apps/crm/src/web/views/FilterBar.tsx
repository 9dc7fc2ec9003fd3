import { ActionIcon, Button, Group, Select, TextInput } from "@mantine/core";
import type { FieldMeta } from "../api/client";
import { labelOf } from "../models";
import { type Condition, type Filter, buildFilter, filterable, operatorsFor, valueless } from "./filters";
import { RecordPicker } from "./RecordPicker";

interface Props {
  fields: readonly FieldMeta[];
  conditions: Condition[];
  onChange(conditions: Condition[], filter: Filter): void;
}

const opLabels: Record<string, string> = {
  ilike: "contains",
  "not ilike": "does not contain",
  "=": "is",
  "!=": "is not",
  ">": ">",
  ">=": "≥",
  "<": "<",
  "<=": "≤",
  "is null": "is empty",
  "is not null": "is set",
};

/**
 * The list's filter bar: rows of field, operator and value; relation values are picked with a
 * search (`name_search`); every change hands the parent the conditions and the DotORM filter.
 */
export function FilterBar({ fields, conditions, onChange }: Props) {
  const usable = filterable(fields);
  const set = (next: Condition[]) => onChange(next, buildFilter(next, fields));
  const update = (i: number, patch: Partial<Condition>) =>
    set(conditions.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    // biome-ignore lint/a11y/useSemanticElements: the <search> element is not mapped to the search role by every browser and test DOM yet; role="search" on a div is the documented fallback
    <div role="search" aria-label="Filters">
      {conditions.map((c, i) => {
        const field = usable.find((f) => f.name === c.field);
        const ops = field ? operatorsFor(field) : ["="];
        const n = i + 1;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <Group key={i} gap="xs" mb="xs" wrap="wrap" data-testid="filter-row">
            <Select
              aria-label={`Filter ${n} field`}
              size="xs"
              w={170}
              searchable
              data={usable.map((f) => ({ value: f.name, label: labelOf(f) }))}
              value={c.field}
              onChange={(name) => {
                const f = usable.find((x) => x.name === name);
                if (f) update(i, { field: f.name, op: operatorsFor(f)[0] ?? "=", value: null });
              }}
            />
            <Select
              aria-label={`Filter ${n} operator`}
              size="xs"
              w={150}
              data={ops.map((o) => ({ value: o, label: opLabels[o] ?? o }))}
              value={c.op}
              allowDeselect={false}
              onChange={(op) => op && update(i, { op })}
            />
            {field && !valueless(c.op) && (
              <ValueInput n={n} field={field} value={c.value} onChange={(value) => update(i, { value })} />
            )}
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Remove filter ${n}`}
              onClick={() => set(conditions.filter((_, j) => j !== i))}
            >
              ×
            </ActionIcon>
          </Group>
        );
      })}
      <Group gap="xs">
        <Button
          size="xs"
          variant="light"
          onClick={() => {
            const first = usable.find((f) => f.name === "name") ?? usable[0];
            if (first) set([...conditions, { field: first.name, op: operatorsFor(first)[0] ?? "=", value: null }]);
          }}
        >
          Add filter
        </Button>
        {conditions.length > 0 && (
          <Button size="xs" variant="subtle" color="gray" onClick={() => set([])}>
            Clear filters
          </Button>
        )}
      </Group>
    </div>
  );
}

function ValueInput({
  n,
  field,
  value,
  onChange,
}: {
  n: number;
  field: FieldMeta;
  value: Condition["value"];
  onChange(v: Condition["value"]): void;
}) {
  const label = `Filter ${n} value`;
  if (field.relation) {
    return (
      <div style={{ width: 200 }}>
        <RecordPicker
          model={field.relation.model}
          label={label}
          hideLabel
          size="xs"
          value={typeof value === "object" ? value : null}
          onChange={onChange}
        />
      </div>
    );
  }
  if (field.type === "boolean") {
    return (
      <Select
        aria-label={label}
        size="xs"
        w={100}
        data={[
          { value: "true", label: "yes" },
          { value: "false", label: "no" },
        ]}
        value={typeof value === "string" ? value : null}
        onChange={(v) => onChange(v)}
      />
    );
  }
  if (field.type === "selection") {
    return (
      <Select
        aria-label={label}
        size="xs"
        w={160}
        data={(field.options ?? []).map(([v, l]) => ({ value: v, label: l }))}
        value={typeof value === "string" ? value : null}
        onChange={(v) => onChange(v)}
      />
    );
  }
  const type = field.type === "date" || field.type === "datetime" ? "date" : "text";
  return (
    <TextInput
      aria-label={label}
      size="xs"
      w={180}
      type={type}
      value={typeof value === "string" ? value : ""}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
