import { Alert, Button, Group, Loader, Modal, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link, useBlocker, useLocation, useNavigate, useParams } from "react-router";
import { ApiError, type FieldMeta, api, query } from "../api/client";
import { displayNested, useFields } from "../api/hooks";
import { titleOf } from "../models";
import { FieldWidget } from "./FieldWidget";
import { One2manyTable } from "./One2manyTable";
import { toApiValue } from "./values";

type Values = Record<string, unknown>;

/** The generic form of any model: `/<model>/create` and `/<model>/:id`. */
export function FormView() {
  const { model = "", id } = useParams();
  const fields = useFields(model);
  if (fields.isError) return <Alert color="red">{(fields.error as Error).message}</Alert>;
  if (!fields.data) return <Loader aria-label="Loading" />;
  return (
    <RecordForm
      key={`${model}/${id ?? "new"}`}
      model={model}
      id={id === undefined || id === "create" ? null : Number(id)}
      fields={fields.data}
    />
  );
}

function RecordForm({ model, id, fields }: { model: string; id: number | null; fields: FieldMeta[] }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  // server-set fields (readonly) are not offered when creating
  const editable = fields.filter(
    (f) => f.name !== "id" && f.relation?.kind !== "one2many" && !(id === null && f.readonly),
  );
  // one2many fields as editable tables (read-only ones, like a chat's messages, are not loaded here)
  const tables = fields.filter((f) => f.relation?.kind === "one2many" && !f.readonly);
  const nested = displayNested(
    fields,
    editable.map((f) => f.name),
  );
  const record = useQuery({
    queryKey: ["record", model, id, nested],
    enabled: id !== null && nested !== undefined,
    queryFn: async () =>
      (
        await api<{ data: Values }>(
          "GET",
          `/auto/${model}/${id}${query({ fields: editable.map((f) => f.name).join(","), nested })}`,
        )
      ).data,
  });
  const defaults = Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default]));
  const [values, setValues] = useState<Values>(id === null ? defaults : {});
  const [dirty, setDirty] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const leaving = useRef(false);
  const location = useLocation();
  // "Saved" survives the move from /create to the new record's page
  const [justSaved, setJustSaved] = useState((location.state as { saved?: boolean } | null)?.saved === true);

  useEffect(() => {
    if (record.data) setValues(record.data);
  }, [record.data]);

  const save = useMutation({
    mutationFn: async () => {
      const send = Object.fromEntries(
        // only what the user set: the server applies the defaults (and refuses fields only it sets)
        [...editable, ...tables]
          .filter((f) => dirty.has(f.name))
          .filter((f) => id === null || !f.readonly)
          .map((f) => [f.name, toApiValue(f, values[f.name])]),
      );
      if (id === null) return (await api<{ id: number }>("POST", `/auto/${model}`, send)).id;
      await api("PATCH", `/auto/${model}/${id}`, send);
      return id;
    },
    onSuccess: async (saved) => {
      setDirty(new Set());
      // the tables show the stored lines again (their drafts are sent)
      setValues((old) => Object.fromEntries(Object.entries(old).filter(([k]) => !tables.some((t) => t.name === k))));
      setJustSaved(true);
      setErrors({});
      setGeneral(null);
      await qc.invalidateQueries({ queryKey: ["list", model] });
      await qc.invalidateQueries({ queryKey: ["record", model, saved] });
      if (id === null) {
        leaving.current = true;
        navigate(`/${model}/${saved}`, { replace: true, state: { saved: true } });
      }
    },
    onError: (e) => {
      if (e instanceof ApiError && e.field && fields.some((f) => f.name === e.field)) {
        setErrors({ [e.field]: e.message });
        setGeneral(null);
      } else setGeneral(e.message);
    },
  });
  const remove = useMutation({
    mutationFn: () => api("DELETE", `/auto/${model}/${id}`),
    onSuccess: async () => {
      leaving.current = true;
      await qc.invalidateQueries({ queryKey: ["list", model] });
      navigate(`/${model}`);
    },
    onError: (e) => setGeneral(e.message),
  });

  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty.size > 0 && !leaving.current && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (dirty.size === 0) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty.size]);

  if (record.isError) return <Alert color="red">{(record.error as Error).message}</Alert>;
  if (id !== null && !record.data) return <Loader aria-label="Loading" />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const title = id === null ? `${titleOf(model)}: new record` : String(values.name ?? `${titleOf(model)} #${id}`);
  return (
    <form onSubmit={submit} noValidate={false}>
      <Stack gap="md" maw={960}>
        <Group justify="space-between" wrap="wrap">
          <div>
            <Text size="sm">
              <Link to={`/${model}`}>{titleOf(model)}</Link>
            </Text>
            <Title order={1} size="h2" style={{ overflowWrap: "anywhere" }}>
              {title}
            </Title>
          </div>
          <Group gap="xs">
            {id !== null && (
              <Button variant="subtle" color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
                Delete
              </Button>
            )}
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Group>
        {general && (
          <Alert color="red" role="alert">
            {general}
          </Alert>
        )}
        {justSaved && dirty.size === 0 && (
          <Text size="sm" c="teal.9" role="status">
            Saved
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          {editable.map((f) => (
            <div key={f.name} style={f.type === "text" || f.type === "json" ? { gridColumn: "1 / -1" } : undefined}>
              <FieldWidget
                field={f}
                creating={id === null}
                value={values[f.name]}
                error={errors[f.name]}
                onChange={(v) => {
                  setValues((old) => ({ ...old, [f.name]: v }));
                  setDirty((d) => new Set(d).add(f.name));
                  setJustSaved(false);
                  if (errors[f.name]) setErrors(({ [f.name]: _, ...rest }) => rest);
                }}
              />
            </div>
          ))}
        </SimpleGrid>
        {tables.map((f) => (
          <One2manyTable
            key={f.name}
            model={model}
            id={id}
            field={f}
            value={values[f.name]}
            readOnly={false}
            onChange={(draft) => {
              setValues((old) => ({ ...old, [f.name]: draft }));
              setDirty((d) => new Set(d).add(f.name));
              setJustSaved(false);
            }}
          />
        ))}
      </Stack>
      <Modal
        opened={blocker.state === "blocked"}
        onClose={() => blocker.reset?.()}
        title="Unsaved changes"
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <Text size="sm" mb="md">
          Leave this page and lose your changes?
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => blocker.reset?.()}>
            Stay
          </Button>
          <Button color="red" onClick={() => blocker.proceed?.()}>
            Leave
          </Button>
        </Group>
      </Modal>
    </form>
  );
}
