import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, query } from "../api/client";

/** A picked record: its id and display name. */
export interface Picked {
  id: number;
  name: string;
}

interface Props {
  model: string;
  label: string;
  value: Picked | null;
  onChange(value: Picked | null): void;
  required?: boolean;
  readOnly?: boolean;
  error?: string | undefined;
  placeholder?: string;
  size?: string;
  /** Show the label only to assistive technology (in the filter bar). */
  hideLabel?: boolean;
}

/** A many2one picker: search-as-you-type through `GET /auto/<model>/name_search`. */
export function RecordPicker({
  model,
  label,
  value,
  onChange,
  required,
  readOnly,
  error,
  placeholder,
  size,
  hideLabel,
}: Props) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 200);
  const found = useQuery({
    queryKey: ["name_search", model, debounced],
    queryFn: () => api<{ data: Picked[] }>("GET", `/auto/${model}/name_search${query({ q: debounced, limit: 20 })}`),
    enabled: !readOnly,
    staleTime: 30_000,
  });
  const options = [...(value ? [value] : []), ...(found.data?.data ?? []).filter((r) => r.id !== value?.id)];
  return (
    <Select
      label={hideLabel ? undefined : label}
      aria-label={label}
      size={size}
      placeholder={placeholder ?? "Search…"}
      searchable
      clearable={!required}
      required={required}
      readOnly={readOnly}
      error={error}
      data={options.map((r) => ({ value: String(r.id), label: r.name }))}
      value={value ? String(value.id) : null}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      nothingFoundMessage={found.isFetching ? "Searching…" : "Nothing found"}
      onChange={(id) => {
        const picked = options.find((r) => String(r.id) === id);
        onChange(picked ? { id: picked.id, name: picked.name } : null);
      }}
    />
  );
}
