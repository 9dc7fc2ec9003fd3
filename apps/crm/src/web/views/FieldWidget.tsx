import { Checkbox, FileInput, JsonInput, MultiSelect, NumberInput, Select, TextInput, Textarea } from "@mantine/core";
import { DateInput, DateTimePicker } from "@mantine/dates";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type FieldMeta, api, query } from "../api/client";
import { labelOf } from "../models";
import { type Picked, RecordPicker } from "./RecordPicker";

interface Props {
  field: FieldMeta;
  value: unknown;
  onChange(value: unknown): void;
  error?: string | undefined;
  /** Readonly fields can still be set when creating. */
  creating: boolean;
}

const integers = new Set(["integer", "smallInteger", "bigInteger"]);

/** A picked record from a many2one value (an id or the nested record). */
export function asPicked(v: unknown): Picked | null {
  if (v && typeof v === "object" && typeof (v as Picked).id === "number") {
    const o = v as { id: number; name?: unknown };
    return { id: o.id, name: typeof o.name === "string" ? o.name : `#${o.id}` };
  }
  if (typeof v === "number") return { id: v, name: `#${v}` };
  return null;
}

/** The form widget for one field, chosen by its type; required, readonly and maxLength from the metadata. */
export function FieldWidget({ field, value, onChange, error, creating }: Props) {
  const label = labelOf(field);
  const readOnly = field.readonly && !creating;
  const common = {
    label,
    description: field.help,
    required: field.required && !readOnly,
    readOnly,
    error,
    name: field.name,
  };
  if (field.relation?.kind === "many2one") {
    return (
      <RecordPicker
        model={field.relation.model}
        label={label}
        value={asPicked(value)}
        onChange={onChange}
        required={common.required}
        readOnly={readOnly}
        error={error}
      />
    );
  }
  if (field.relation?.kind === "many2many") {
    return (
      <TagsPicker
        model={field.relation.model}
        label={label}
        value={Array.isArray(value) ? value.map(asPicked).filter((p): p is Picked => !!p) : []}
        onChange={onChange}
        error={error}
        readOnly={readOnly}
      />
    );
  }
  if (field.relation?.kind === "one2many") {
    const n = Array.isArray(value) ? value.length : 0;
    return <TextInput {...common} required={false} readOnly value={`${n} record${n === 1 ? "" : "s"}`} />;
  }
  switch (field.type) {
    case "text":
      return (
        <Textarea
          {...common}
          autosize
          minRows={3}
          maxRows={10}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case "boolean":
      return (
        <Checkbox
          label={label}
          name={field.name}
          disabled={readOnly}
          error={error}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case "selection":
      return (
        <Select
          {...common}
          clearable={!field.required}
          data={(field.options ?? []).map(([v, l]) => ({ value: v, label: l }))}
          value={typeof value === "string" ? value : null}
          onChange={(v) => onChange(v)}
        />
      );
    case "date":
      return (
        <DateInput
          {...common}
          clearable
          clearButtonProps={{ "aria-label": `Clear ${label}` }}
          valueFormat="YYYY-MM-DD"
          value={typeof value === "string" && value ? value : null}
          onChange={(v) => onChange(v || null)}
        />
      );
    case "datetime":
      return (
        <DateTimePicker
          {...common}
          clearable
          clearButtonProps={{ "aria-label": `Clear ${label}` }}
          valueFormat="YYYY-MM-DD HH:mm"
          value={typeof value === "string" && value ? localDateTime(value) : null}
          onChange={(v) => onChange(v ? new Date(v.replace(" ", "T")).toISOString() : null)}
        />
      );
    case "json":
      return (
        <JsonInput
          {...common}
          autosize
          minRows={3}
          validationError="not valid JSON"
          value={
            typeof value === "string"
              ? value
              : value === undefined || value === null
                ? ""
                : JSON.stringify(value, null, 2)
          }
          onChange={(v) => onChange(v)}
        />
      );
    case "binary":
      return (
        <FileInput
          {...common}
          placeholder={value ? "a file is stored; pick one to replace it" : "pick a file"}
          onChange={async (file) => onChange(file ? await toBase64(file) : null)}
        />
      );
    default:
      if (integers.has(field.type) || field.type === "float") {
        return (
          <NumberInput
            {...common}
            allowDecimal={field.type === "float"}
            value={typeof value === "number" ? value : ""}
            onChange={(v) => onChange(v === "" ? null : typeof v === "number" ? v : Number(v))}
          />
        );
      }
      if (field.type === "decimal" || field.type === "monetary") {
        return (
          <TextInput
            {...common}
            inputMode="decimal"
            value={value === null || value === undefined ? "" : String(value)}
            onChange={(e) => onChange(e.currentTarget.value)}
          />
        );
      }
      return (
        <TextInput
          {...common}
          maxLength={field.maxLength}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

/** An ISO instant as "YYYY-MM-DD HH:mm:ss" in the browser's time zone (what DateTimePicker takes). */
function localDateTime(iso: string): string | null {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function TagsPicker({
  model,
  label,
  value,
  onChange,
  error,
  readOnly,
}: {
  model: string;
  label: string;
  value: Picked[];
  onChange(v: Picked[]): void;
  error?: string | undefined;
  readOnly: boolean;
}) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 200);
  const found = useQuery({
    queryKey: ["name_search", model, debounced],
    queryFn: () => api<{ data: Picked[] }>("GET", `/auto/${model}/name_search${query({ q: debounced, limit: 20 })}`),
    enabled: !readOnly,
  });
  const options = [...value, ...(found.data?.data ?? []).filter((r) => !value.some((v) => v.id === r.id))];
  return (
    <MultiSelect
      label={label}
      error={error}
      readOnly={readOnly}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      data={options.map((r) => ({ value: String(r.id), label: r.name }))}
      value={value.map((v) => String(v.id))}
      onChange={(ids) =>
        onChange(ids.map((id) => options.find((o) => String(o.id) === id)).filter((p): p is Picked => !!p))
      }
    />
  );
}
