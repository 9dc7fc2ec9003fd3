import { Alert, Badge, Button, Group, Loader, MultiSelect, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, query } from "../api/client";
import { type AccessRow, type Perm, type RoleNode, closure, cycleThrough, effectiveRights, perms } from "./role-graph";

const permLabels: Record<Perm, string> = {
  perm_read: "Read",
  perm_create: "Create",
  perm_update: "Update",
  perm_delete: "Delete",
};

/**
 * The administrators' view of roles with inheritance: each role's inherited roles (editable; a
 * cycle is refused before it is sent), everything it ends up inheriting, and the rights per model
 * it has that way, with the role that grants each.
 */
export default function RoleInheritancePage() {
  const qc = useQueryClient();
  const roles = useQuery({
    queryKey: ["list", "roles", "inheritance"],
    queryFn: async () =>
      (
        await api<{ data: RoleNode[] }>(
          "GET",
          `/auto/roles${query({ fields: "code,name,based_role_ids", order: "code", limit: 500 })}`,
        )
      ).data,
  });
  const rights = useQuery({
    queryKey: ["list", "access_list", "inheritance"],
    queryFn: async () =>
      api<{ data: AccessRow[]; total: number }>(
        "GET",
        `/auto/access_list${query({ fields: "model,role_id,perm_read,perm_create,perm_update,perm_delete", order: "model", limit: 500 })}`,
      ),
  });
  const [shown, setShown] = useState<string | null>(null);
  if (roles.isError || rights.isError)
    return <Alert color="red">{((roles.error ?? rights.error) as Error).message}</Alert>;
  if (!roles.data || !rights.data) return <Loader aria-label="Loading" />;
  const all = roles.data;
  const nameOf = (id: number) => {
    const r = all.find((x) => x.id === id);
    return r ? (r.name ?? r.code) : id === 0 ? "everyone" : `#${id}`;
  };
  const selected = all.find((r) => String(r.id) === shown) ?? all[0];
  const effective = selected ? effectiveRights(selected.id, all, rights.data.data) : new Map();
  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Text size="sm">
          <Link to="/roles">Roles</Link>
        </Text>
        <Title order={1} size="h2">
          Role inheritance
        </Title>
        <Text size="sm" c="gray.7">
          A role has the rights and record rules of every role it inherits, directly or through others. Changes apply to
          sessions within 30 seconds.
        </Text>
      </div>
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label="Roles and what they inherit" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Role</Table.Th>
              <Table.Th>Inherits directly</Table.Th>
              <Table.Th>Has in all</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {all.map((r) => (
              <RoleRow
                key={r.id}
                role={r}
                roles={all}
                nameOf={nameOf}
                onSaved={() => qc.invalidateQueries({ queryKey: ["list", "roles"] })}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group align="flex-end" gap="sm">
        <Title order={2} size="h3">
          Rights of
        </Title>
        <Select
          aria-label="Role whose rights are shown"
          data={all.map((r) => ({ value: String(r.id), label: r.name ?? r.code }))}
          value={selected ? String(selected.id) : null}
          onChange={setShown}
          allowDeselect={false}
          w={240}
        />
      </Group>
      {rights.data.total > rights.data.data.length && (
        <Text size="sm" c="gray.7">
          Showing the first {rights.data.data.length} of {rights.data.total} access rows.
        </Text>
      )}
      {selected?.code === "admin" && <Text size="sm">Administrators bypass every check.</Text>}
      <Table.ScrollContainer minWidth={640}>
        <Table
          striped
          aria-label={`Rights of ${selected ? nameOf(selected.id) : ""} per model`}
          data-testid="effective-rights"
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Model</Table.Th>
              {perms.map((p) => (
                <Table.Th key={p}>{permLabels[p]}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...effective.entries()].map(([model, grant]) => (
              <Table.Tr key={model} data-model={model}>
                <Table.Td>{model}</Table.Td>
                {perms.map((p) => (
                  <Table.Td key={p} data-perm={p}>
                    {grant[p].length > 0 ? `yes (${[...new Set<number>(grant[p])].map(nameOf).join(", ")})` : "—"}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {effective.size === 0 && (
        <Text size="sm" c="gray.7">
          No rights on any model.
        </Text>
      )}
    </Stack>
  );
}

function RoleRow({
  role,
  roles,
  nameOf,
  onSaved,
}: {
  role: RoleNode;
  roles: RoleNode[];
  nameOf(id: number): string;
  onSaved(): void;
}) {
  const [based, setBased] = useState<string[] | null>(null);
  const current = based ?? role.based_role_ids.map(String);
  const ids = current.map(Number);
  const cycle = cycleThrough(role.id, ids, roles);
  const label = role.name ?? role.code;
  const save = useMutation({
    mutationFn: () => api("PATCH", `/auto/roles/${role.id}`, { based_role_ids: ids }),
    onSuccess: () => {
      setBased(null);
      onSaved();
    },
  });
  const inherited = [
    ...closure(
      role.id,
      roles.map((r) => (r.id === role.id ? { ...r, based_role_ids: ids } : r)),
    ),
  ].filter((id) => id !== role.id);
  const error =
    cycle.length > 0
      ? `${label} would inherit from itself through ${cycle.map(nameOf).join(", ")}`
      : save.error
        ? (save.error as Error).message
        : undefined;
  return (
    <Table.Tr data-role={role.code}>
      <Table.Td>
        <Text fw={500} size="sm">
          {label}
        </Text>
        <Text size="xs" c="gray.7">
          {role.code}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap="xs" align="flex-start" wrap="nowrap">
          <MultiSelect
            aria-label={`Roles ${label} inherits`}
            data={roles.filter((r) => r.id !== role.id).map((r) => ({ value: String(r.id), label: r.name ?? r.code }))}
            value={current}
            onChange={setBased}
            error={error}
            miw={220}
          />
          {based !== null && (
            <Button size="sm" onClick={() => save.mutate()} disabled={cycle.length > 0} loading={save.isPending}>
              Save
            </Button>
          )}
        </Group>
      </Table.Td>
      <Table.Td data-testid="inherited">
        {inherited.length === 0 ? (
          <Text size="sm" c="gray.7">
            nothing
          </Text>
        ) : (
          <Group gap={4}>
            {inherited.map((id) => (
              <Badge key={id} variant="light">
                {nameOf(id)}
              </Badge>
            ))}
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
