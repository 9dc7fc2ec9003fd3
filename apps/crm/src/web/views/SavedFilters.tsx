import { ActionIcon, Button, Group, Menu, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, query } from "../api/client";
import { useAuth } from "../auth/auth";
import type { Condition } from "./filters";

/** A saved filter as the `saved_filters` model stores it. */
export interface SavedFilter {
  id: number;
  name: string;
  conditions: Condition[];
}

interface Props {
  model: string;
  conditions: Condition[];
  onApply(conditions: Condition[]): void;
}

/** Whether a stored value is a list of filter-bar conditions (anything else is ignored). */
export function asConditions(v: unknown): Condition[] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (c): c is Condition =>
      !!c &&
      typeof c === "object" &&
      typeof c.field === "string" &&
      typeof c.op === "string" &&
      (c.value === null ||
        typeof c.value === "string" ||
        (typeof c.value === "object" && typeof c.value.id === "number")),
  );
}

/**
 * The list's saved filters: the user's own (`saved_filters`, a record rule keeps everyone else's
 * out), applied with a click, saved from the filter bar under a name, deleted.
 */
export function SavedFilters({ model, conditions, onApply }: Props) {
  const { me } = useAuth();
  const qc = useQueryClient();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const key = ["saved_filters", model];
  const saved = useQuery({
    queryKey: key,
    enabled: me !== null && me !== undefined,
    // the rule keeps others' filters out, but administrators bypass rules: ask for one's own
    queryFn: async () =>
      (
        await api<{ data: { id: number; name: string; conditions: unknown }[] }>(
          "GET",
          `/auto/saved_filters${query({
            filter: [
              ["model", "=", model],
              ["user_id", "=", me?.id ?? 0],
            ],
            fields: "name,conditions",
            order: "name",
            limit: 100,
          })}`,
        )
      ).data.map((r) => ({ id: r.id, name: r.name, conditions: asConditions(r.conditions) })),
  });
  const create = useMutation({
    mutationFn: () =>
      api<{ id: number }>("POST", "/auto/saved_filters", { name: name.trim(), model, conditions, user_id: me?.id }),
    onSuccess: async () => {
      setNaming(false);
      setName("");
      await qc.invalidateQueries({ queryKey: key });
    },
  });
  const remove = useMutation({
    mutationFn: (id: number) => api("DELETE", `/auto/saved_filters/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: key }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() !== "") create.mutate();
  };
  const list = saved.data ?? [];
  return (
    <>
      <Menu position="bottom-end" withArrow closeOnItemClick>
        <Menu.Target>
          <Button variant="default" size="sm">
            Saved filters{list.length > 0 ? ` (${list.length})` : ""}
          </Button>
        </Menu.Target>
        <Menu.Dropdown miw={240}>
          {list.length === 0 && <Menu.Label>No saved filters yet</Menu.Label>}
          {list.map((s) => (
            <Group key={s.id} gap={0} wrap="nowrap">
              <Menu.Item onClick={() => onApply(s.conditions)} style={{ overflowWrap: "anywhere" }}>
                {s.name}
              </Menu.Item>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Delete saved filter ${s.name}`}
                onClick={() => remove.mutate(s.id)}
                loading={remove.isPending && remove.variables === s.id}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          <Menu.Divider />
          <Menu.Item disabled={conditions.length === 0} onClick={() => setNaming(true)}>
            Save current filter…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal
        opened={naming}
        onClose={() => setNaming(false)}
        title="Save the current filter"
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <form onSubmit={submit}>
          <Stack gap="sm">
            <TextInput
              label="Name"
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              data-autofocus
            />
            {create.isError && (
              <Text c="red.9" size="sm" role="alert">
                {(create.error as Error).message}
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setNaming(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending} disabled={name.trim() === ""}>
                Save filter
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
