import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  Loader,
  Pagination,
  Popover,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useLocalStorage } from "@mantine/hooks";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { type FieldMeta, api, query } from "../api/client";
import { displayNested, useFields } from "../api/hooks";
import { labelOf, titleOf } from "../models";
import { BulkEdit } from "./BulkEdit";
import { FilterBar } from "./FilterBar";
import { type Condition, type Filter, buildFilter } from "./filters";
import { SavedFilters } from "./SavedFilters";
import { formatCell } from "./format";

const pageSize = 20;

/** The columns shown by default: the first few stored, non-x2many fields. */
function defaultColumns(fields: readonly FieldMeta[]): string[] {
  return fields
    .filter(
      (f) =>
        f.name !== "id" &&
        f.type !== "one2many" &&
        f.type !== "many2many" &&
        f.type !== "json" &&
        f.type !== "binary" &&
        f.type !== "text",
    )
    .slice(0, 6)
    .map((f) => f.name);
}

/** The generic list view of any model at `/<model>`: columns from the field metadata, server-side filter, sort and pages. */
export function ListView() {
  const { model = "" } = useParams();
  const fields = useFields(model);
  if (fields.isError) return <Alert color="red">{(fields.error as Error).message}</Alert>;
  if (!fields.data) return <Loader aria-label="Loading" />;
  return <ListTable key={model} model={model} fields={fields.data} />;
}

function ListTable({ model, fields }: { model: string; fields: FieldMeta[] }) {
  const qc = useQueryClient();
  const [stored, setColumns] = useLocalStorage<string[] | null>({ key: `crm.columns.${model}`, defaultValue: null });
  const columns = (stored ?? defaultColumns(fields)).filter((c) => fields.some((f) => f.name === c));
  const [conditions, setConditions] = useState<Condition[]>([]);
  const [filter, setFilter] = useState<Filter>([]);
  const [order, setOrder] = useState<{ field: string; dir: "asc" | "desc" }>({ field: "id", dir: "desc" });
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const nested = displayNested(fields, columns);

  const rows = useQuery({
    queryKey: ["list", model, columns, filter, order, page, nested],
    enabled: nested !== undefined,
    placeholderData: keepPreviousData,
    queryFn: () =>
      api<{ data: Record<string, unknown>[]; total: number }>("POST", `/auto/${model}/search`, {
        filter,
        fields: columns,
        nested,
        order: order.field,
        sort: order.dir,
        limit: pageSize,
        offset: (page - 1) * pageSize,
      }),
  });
  const remove = useMutation({
    mutationFn: (ids: number[]) => api("DELETE", `/auto/${model}`, { ids }),
    onSuccess: () => {
      setSelected(new Set());
      void qc.invalidateQueries({ queryKey: ["list", model] });
    },
  });

  const data = rows.data?.data ?? [];
  const total = rows.data?.total ?? 0;
  const shown = columns.map((c) => fields.find((f) => f.name === c)).filter((f): f is FieldMeta => !!f);
  const allSelected = data.length > 0 && data.every((r) => selected.has(r.id as number));
  const applyConditions = (c: Condition[], f: Filter) => {
    setConditions(c);
    setFilter(f);
    setPage(1);
    setSelected(new Set());
  };
  // the CSV holds what the list shows: its columns (those a cell can hold), filter and order
  const exportHref = `/api/export/${model}${query({
    fields: [
      "id",
      ...shown.filter((f) => f.type !== "one2many" && f.type !== "many2many" && f.type !== "binary").map((f) => f.name),
    ].join(","),
    filter: filter.length > 0 ? filter : undefined,
    order: order.field,
    sort: order.dir,
  })}`;
  const sortBy = (name: string) => {
    setOrder((o) => ({ field: name, dir: o.field === name && o.dir === "asc" ? "desc" : "asc" }));
    setPage(1);
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2">
          {titleOf(model)}
        </Title>
        <Group gap="xs">
          <SavedFilters
            model={model}
            conditions={conditions}
            onApply={(c) => applyConditions(c, buildFilter(c, fields))}
          />
          <ColumnPicker fields={fields} columns={columns} onChange={setColumns} />
          <Button component="a" href={exportHref} download variant="default" size="sm">
            Export CSV
          </Button>
          <Button component={Link} to={`/${model}/create`} size="sm">
            New
          </Button>
        </Group>
      </Group>
      <FilterBar fields={fields} conditions={conditions} onChange={applyConditions} />
      {rows.isError && <Alert color="red">{(rows.error as Error).message}</Alert>}
      {remove.isError && <Alert color="red">{(remove.error as Error).message}</Alert>}
      {selected.size > 0 && (
        <Group gap="xs">
          <Text size="sm">{selected.size} selected</Text>
          <BulkEdit
            model={model}
            fields={fields}
            ids={[...selected]}
            onDone={() => {
              setSelected(new Set());
              void qc.invalidateQueries({ queryKey: ["list", model] });
            }}
          />
          <Popover withArrow>
            <Popover.Target>
              <Button size="xs" color="red" variant="light">
                Delete selected
              </Button>
            </Popover.Target>
            <Popover.Dropdown>
              <Text size="sm" mb="xs">
                Delete {selected.size} record{selected.size === 1 ? "" : "s"}?
              </Text>
              <Button size="xs" color="red" loading={remove.isPending} onClick={() => remove.mutate([...selected])}>
                Confirm delete
              </Button>
            </Popover.Dropdown>
          </Popover>
        </Group>
      )}
      <Table.ScrollContainer minWidth={600}>
        <Table striped highlightOnHover aria-label={`${titleOf(model)} list`} aria-busy={rows.isFetching}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36}>
                <Checkbox
                  aria-label="Select all on this page"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(data.map((r) => r.id as number)))}
                />
              </Table.Th>
              {shown.map((f) => (
                <Table.Th
                  key={f.name}
                  aria-sort={order.field === f.name ? (order.dir === "asc" ? "ascending" : "descending") : "none"}
                >
                  <UnstyledButton onClick={() => sortBy(f.name)} fw={600} fz="sm">
                    {labelOf(f)}
                    {order.field === f.name ? (order.dir === "asc" ? " ▲" : " ▼") : ""}
                  </UnstyledButton>
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((r) => (
              <Table.Tr key={r.id as number}>
                <Table.Td>
                  <Checkbox
                    aria-label={`Select record ${r.id as number}`}
                    checked={selected.has(r.id as number)}
                    onChange={() => {
                      const next = new Set(selected);
                      if (!next.delete(r.id as number)) next.add(r.id as number);
                      setSelected(next);
                    }}
                  />
                </Table.Td>
                {shown.map((f, i) => (
                  <Table.Td
                    key={f.name}
                    style={{ maxWidth: 320, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
                  >
                    {i === 0 ? (
                      <Anchor component={Link} to={`/${model}/${r.id as number}`} size="sm">
                        {formatCell(f, r[f.name]) || `#${r.id as number}`}
                      </Anchor>
                    ) : (
                      formatCell(f, r[f.name])
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows.isSuccess && data.length === 0 && (
        <Text c="gray.7" ta="center" py="lg">
          No records{filter.length > 0 ? " match the filters" : " yet"}.
        </Text>
      )}
      <Group justify="space-between">
        <Text size="sm" c="gray.7" data-testid="list-total">
          {total} record{total === 1 ? "" : "s"}
        </Text>
        <Pagination
          total={Math.max(1, Math.ceil(total / pageSize))}
          value={page}
          onChange={setPage}
          size="sm"
          getControlProps={(c) => ({ "aria-label": `${c} page` })}
        />
      </Group>
    </Stack>
  );
}

function ColumnPicker({
  fields,
  columns,
  onChange,
}: {
  fields: FieldMeta[];
  columns: string[];
  onChange(c: string[]): void;
}) {
  return (
    <Popover withArrow position="bottom-end">
      <Popover.Target>
        <Button variant="default" size="sm">
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap={4} mah={320} style={{ overflowY: "auto" }}>
          {fields
            .filter((f) => f.name !== "id")
            .map((f) => (
              <Checkbox
                key={f.name}
                label={labelOf(f)}
                checked={columns.includes(f.name)}
                onChange={() =>
                  onChange(columns.includes(f.name) ? columns.filter((c) => c !== f.name) : [...columns, f.name])
                }
              />
            ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
