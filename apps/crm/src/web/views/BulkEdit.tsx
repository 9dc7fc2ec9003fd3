import { Button, Group, Modal, Select, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { type FieldMeta, api } from "../api/client";
import { labelOf } from "../models";
import { FieldWidget } from "./FieldWidget";
import { toApiValue } from "./values";

/** Fields one value can be set on for many records: writable, and not a one2many or a file. */
export function bulkEditable(fields: readonly FieldMeta[]): FieldMeta[] {
  return fields.filter((f) => f.name !== "id" && !f.readonly && f.relation?.kind !== "one2many" && f.type !== "binary");
}

interface Props {
  model: string;
  fields: readonly FieldMeta[];
  ids: number[];
  onDone(): void;
}

/**
 * Sets one field to one value on the selected records, in one all-or-nothing request
 * (`PATCH /auto/<model>` with `{ ids, values }`); the server's refusal is shown as it names it.
 */
export function BulkEdit({ model, fields, ids, onDone }: Props) {
  const usable = bulkEditable(fields);
  const [opened, setOpened] = useState(false);
  const [name, setName] = useState<string | null>(null);
  const [value, setValue] = useState<unknown>(null);
  const field = usable.find((f) => f.name === name);
  const apply = useMutation({
    mutationFn: () =>
      api("PATCH", `/auto/${model}`, {
        ids,
        values: { [field?.name as string]: toApiValue(field as FieldMeta, value) },
      }),
    onSuccess: () => {
      setOpened(false);
      setName(null);
      setValue(null);
      onDone();
    },
  });
  const close = () => {
    setOpened(false);
    apply.reset();
  };
  return (
    <>
      <Button size="xs" variant="light" onClick={() => setOpened(true)}>
        Edit field
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={`Set a field on ${ids.length} record${ids.length === 1 ? "" : "s"}`}
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <Stack gap="sm">
          <Select
            label="Field to set"
            searchable
            data={usable.map((f) => ({ value: f.name, label: labelOf(f) }))}
            value={name}
            onChange={(n) => {
              setName(n);
              setValue(null);
              apply.reset();
            }}
          />
          {field && (
            <FieldWidget
              key={field.name}
              field={field}
              creating={false}
              value={value}
              error={apply.error instanceof Error ? apply.error.message : undefined}
              onChange={setValue}
            />
          )}
          {apply.isError && !field && (
            <Text size="sm" c="red.9" role="alert">
              {(apply.error as Error).message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button disabled={!field} loading={apply.isPending} onClick={() => apply.mutate()}>
              Set on {ids.length} record{ids.length === 1 ? "" : "s"}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
