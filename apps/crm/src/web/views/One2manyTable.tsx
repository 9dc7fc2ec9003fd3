import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  Select,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FieldMeta, api, query } from "../api/client";
import { useFields } from "../api/hooks";
import { labelOf } from "../models";
import { asPicked } from "./FieldWidget";
import { formatCell } from "./format";
import { type LineDraft, type One2manyDraft, draftOf, isDraft, lineColumns } from "./one2many";
import { RecordPicker } from "./RecordPicker";

interface Props {
  /** The parent's model and id (null while creating). */
  model: string;
  id: number | null;
  field: FieldMeta;
  /** The draft once the user changed something; undefined shows the stored lines. */
  value: unknown;
  onChange(draft: One2manyDraft): void;
  readOnly: boolean;
}

let counter = 0;

/**
 * A one2many field as an editable table: the related records' simple fields as columns, a row per
 * line, add and remove lines. Edits stay a draft until the form saves, and are sent with the parent
 * in the same request as relation commands (`create`, `update`, `delete`).
 */
export function One2manyTable({ model, id, field, value, onChange, readOnly }: Props) {
  const target = field.relation?.model as string;
  const targetFields = useFields(target);
  const columns = targetFields.data ? lineColumns(targetFields.data, model) : undefined;
  const nested = columns
    ? [
        ...columns.filter((c) => c.relation?.kind !== "many2one").map((c) => c.name),
        ...columns.filter((c) => c.relation?.kind === "many2one").map((c) => ({ [c.name]: ["name"] })),
      ]
    : undefined;
  const stored = useQuery({
    queryKey: ["record", model, id, "o2m", field.name, nested],
    enabled: id !== null && nested !== undefined,
    queryFn: async () => {
      const r = await api<{ data: Record<string, unknown> }>(
        "GET",
        `/auto/${model}/${id}${query({ fields: field.name, nested: { [field.name]: nested } })}`,
      );
      return (r.data[field.name] as Record<string, unknown>[] | undefined) ?? [];
    },
  });
  // a list of records reads as a plural ("Lines", "Members") unless the model labels it
  const label = field.label && field.label !== field.name ? field.label : `${labelOf(field)}s`;
  if (targetFields.isError || stored.isError)
    return <Alert color="red">{((targetFields.error ?? stored.error) as Error).message}</Alert>;
  if (!columns || (id !== null && !stored.data)) return <Loader size="sm" aria-label={`Loading ${label}`} />;

  const draft: One2manyDraft = isDraft(value) ? value : draftOf(stored.data ?? [], columns);
  const setLine = (key: string, name: string, v: unknown) =>
    onChange({
      ...draft,
      lines: draft.lines.map((l) =>
        l.key === key
          ? {
              ...l,
              values: { ...l.values, [name]: v },
              changed: l.changed.includes(name) ? l.changed : [...l.changed, name],
            }
          : l,
      ),
    });
  const remove = (line: LineDraft) =>
    onChange({
      ...draft,
      lines: draft.lines.filter((l) => l.key !== line.key),
      deleted: line.id === undefined ? draft.deleted : [...draft.deleted, line.id],
    });
  const add = () => {
    const defaults = Object.fromEntries(
      columns.filter((c) => c.default !== undefined && !c.readonly).map((c) => [c.name, c.default]),
    );
    onChange({ ...draft, lines: [...draft.lines, { key: `new-${++counter}`, values: defaults, changed: [] }] });
  };

  return (
    <div>
      <Text fw={500} size="sm" mb={4}>
        {label}
      </Text>
      <Table.ScrollContainer minWidth={720}>
        <Table withTableBorder aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.name}>{labelOf(c)}</Table.Th>
              ))}
              {!readOnly && (
                <Table.Th w={40}>
                  <VisuallyHidden>Remove</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {draft.lines.map((line, i) => (
              <Table.Tr key={line.key} data-testid="o2m-line">
                {columns.map((c) => (
                  <Table.Td key={c.name}>
                    {readOnly || c.readonly ? (
                      <Text size="sm">{formatCell(c, line.values[c.name])}</Text>
                    ) : (
                      <CellInput
                        field={c}
                        label={`${labelOf(c)}, line ${i + 1}`}
                        value={line.values[c.name]}
                        onChange={(v) => setLine(line.key, c.name, v)}
                      />
                    )}
                  </Table.Td>
                ))}
                {!readOnly && (
                  <Table.Td>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove line ${i + 1}`}
                      onClick={() => remove(line)}
                    >
                      ×
                    </ActionIcon>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {draft.lines.length === 0 && (
        <Text size="sm" c="gray.7" py="xs">
          No lines yet.
        </Text>
      )}
      {!readOnly && (
        <Group mt="xs">
          <Button size="xs" variant="light" onClick={add}>
            Add a line
          </Button>
        </Group>
      )}
    </div>
  );
}

const numeric = new Set(["integer", "smallInteger", "bigInteger", "float", "decimal", "monetary"]);

/** A compact input for one cell, labelled for assistive technology only. */
function CellInput({
  field,
  label,
  value,
  onChange,
}: {
  field: FieldMeta;
  label: string;
  value: unknown;
  onChange(v: unknown): void;
}) {
  if (field.relation?.kind === "many2one") {
    return (
      <RecordPicker
        model={field.relation.model}
        label={label}
        hideLabel
        size="xs"
        required={field.required}
        value={asPicked(value)}
        onChange={onChange}
      />
    );
  }
  if (field.type === "boolean")
    return <Checkbox aria-label={label} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
  if (field.type === "selection") {
    return (
      <Select
        aria-label={label}
        size="xs"
        data={(field.options ?? []).map(([v, l]) => ({ value: v, label: l }))}
        value={typeof value === "string" ? value : null}
        onChange={onChange}
      />
    );
  }
  const type = field.type === "date" ? "date" : "text";
  return (
    <TextInput
      aria-label={label}
      size="xs"
      type={type}
      inputMode={numeric.has(field.type) ? "decimal" : undefined}
      maxLength={field.maxLength}
      value={value === null || value === undefined ? "" : String(value)}
      onChange={(e) => {
        const text = e.currentTarget.value;
        const integer =
          field.type === "integer" ||
          field.type === "smallInteger" ||
          field.type === "bigInteger" ||
          field.type === "float";
        onChange(integer && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text);
      }}
    />
  );
}
