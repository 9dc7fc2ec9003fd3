import { ActionIcon, Alert, Avatar, Badge, Button, Card, Group, Loader, Menu, Paper, Rating, ScrollArea, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, useState } from "react";
import { Link } from "react-router";
import { ApiError, type Row, api, displayName, idOf } from "../api/client";

type Stage = Pick<Row<"LeadStages">, "id" | "name" | "sequence">;
type Card_ = Pick<Row<"Leads">, "id" | "name" | "expected_revenue" | "priority" | "stage_id" | "partner_id" | "user_id">;
type Page = { data: Card_[]; total: number };

const perColumn = 40;
const money = (v: string | number | null | undefined) => Number(v ?? 0).toLocaleString(undefined, { maximumFractionDigits: 0 });
const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();

/** The leads pipeline: a column per stage with totals; drag a card (or use its menu) to change its stage. */
export function LeadKanban() {
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const stages = useQuery({
    queryKey: ["kanban-stages"],
    queryFn: async () => (await api<{ data: Stage[] }>("POST", "/auto/lead_stages/search", { fields: ["name", "sequence"], order: "sequence", limit: 50 })).data,
  });
  const totals = useQuery({
    queryKey: ["kanban", "totals"],
    queryFn: async () =>
      (await api<{ data: { stage_id: number; n: number; total: string | null }[] }>("POST", "/auto/leads/aggregate", {
        groupBy: ["stage_id"],
        aggregate: { n: ["id", "count"], total: ["expected_revenue", "sum"] },
      })).data,
  });
  const columns = useQueries({
    queries: (stages.data ?? []).map((s) => ({
      queryKey: ["kanban", "stage", s.id],
      queryFn: () =>
        api<Page>("POST", "/auto/leads/search", {
          filter: [["stage_id", "=", s.id]],
          fields: ["name", "expected_revenue", "priority", "stage_id", "partner_id", "user_id"],
          nested: { partner_id: ["name"], user_id: ["name"] },
          order: "id desc", // newest first: a quick-created lead shows at the top
          limit: perColumn,
        }),
    })),
  });

  const move = useMutation({
    mutationFn: ({ lead, to }: { lead: Card_; from: number; to: number }) => api("PATCH", `/auto/leads/${lead.id}`, { stage_id: to }),
    onMutate: async ({ lead, from, to }) => {
      setProblem(null);
      await qc.cancelQueries({ queryKey: ["kanban"] });
      const before = { from: qc.getQueryData<Page>(["kanban", "stage", from]), to: qc.getQueryData<Page>(["kanban", "stage", to]), totals: totals.data };
      qc.setQueryData<Page>(["kanban", "stage", from], (p) => p && { data: p.data.filter((l) => l.id !== lead.id), total: p.total - 1 });
      qc.setQueryData<Page>(["kanban", "stage", to], (p) => p && { data: [{ ...lead, stage_id: to }, ...p.data], total: p.total + 1 });
      return before;
    },
    onError: (e, { lead, from, to }, before) => {
      if (before) {
        qc.setQueryData(["kanban", "stage", from], before.from);
        qc.setQueryData(["kanban", "stage", to], before.to);
      }
      const why = e instanceof ApiError && e.status === 403 ? "you may not change this lead" : e instanceof ApiError && e.status === 409 ? "it conflicts with another change" : e.message;
      setProblem(`"${lead.name}" was not moved: ${why}`);
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: ["kanban"] }),
  });

  if (stages.isError) return <Alert color="red">{(stages.error as Error).message}</Alert>;
  if (!stages.data) return <Loader aria-label="Loading" />;
  const list = stages.data;
  const drop = (e: DragEvent, to: number) => {
    e.preventDefault();
    setOver(null);
    const raw = e.dataTransfer.getData("application/x-lead");
    if (!raw) return;
    const { lead, from } = JSON.parse(raw) as { lead: Card_; from: number };
    if (from !== to) move.mutate({ lead, from, to });
  };

  return (
    <Stack gap="sm">
      <Title order={1} size="h2">
        Pipeline
      </Title>
      {problem && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}
      <ScrollArea type="auto" offsetScrollbars>
        <Group align="flex-start" wrap="nowrap" gap={8}>
          {list.map((s, i) => {
            const col = columns[i];
            const t = totals.data?.find((x) => x.stage_id === s.id);
            return (
              <Paper
                key={s.id}
                withBorder
                p="xs"
                w={200}
                miw={200}
                bg={over === s.id ? "blue.0" : "gray.0"}
                component="section"
                aria-label={`Stage ${s.name}`}
                data-stage={s.name}
                onDragOver={(e: DragEvent) => {
                  e.preventDefault();
                  setOver(s.id);
                }}
                onDragLeave={() => setOver(null)}
                onDrop={(e: DragEvent) => drop(e, s.id)}
              >
                <Group justify="space-between" mb={4}>
                  <Title order={2} size="h5">
                    {s.name}
                  </Title>
                  <Badge variant="light" data-testid="column-count">
                    {t?.n ?? 0}
                  </Badge>
                </Group>
                <Text size="xs" c="gray.7" mb="xs" data-testid="column-total">
                  {money(t?.total)} expected
                </Text>
                <QuickCreate stageId={s.id} />
                <Stack gap={6} mt="xs">
                  {col?.isPending && <Loader size="sm" aria-label="Loading" />}
                  {col?.data?.data.length === 0 && (
                    <Text size="xs" c="gray.7" ta="center" py="sm">
                      No leads
                    </Text>
                  )}
                  {col?.data?.data.map((lead) => (
                    <LeadCard key={lead.id} lead={lead} stages={list} onMove={(to) => move.mutate({ lead, from: s.id, to })} from={s.id} />
                  ))}
                  {col?.data && col.data.total > col.data.data.length && (
                    <Text size="xs" c="gray.7" ta="center">
                      and {col.data.total - col.data.data.length} more in the list
                    </Text>
                  )}
                </Stack>
              </Paper>
            );
          })}
        </Group>
      </ScrollArea>
    </Stack>
  );
}

function LeadCard({ lead, stages, from, onMove }: { lead: Card_; stages: Stage[]; from: number; onMove(to: number): void }) {
  const user = displayName(lead.user_id);
  return (
    <Card
      withBorder
      padding="xs"
      draggable
      data-testid="lead-card"
      data-lead={lead.name}
      style={{ cursor: "grab" }}
      onDragStart={(e: DragEvent) => {
        e.dataTransfer.setData("application/x-lead", JSON.stringify({ lead, from }));
        e.dataTransfer.effectAllowed = "move";
      }}
    >
      <Group justify="space-between" wrap="nowrap" gap={4} align="flex-start">
        <Text size="sm" fw={600} component={Link} to={`/leads/${lead.id}`} c="inherit" style={{ overflowWrap: "anywhere" }}>
          {lead.name}
        </Text>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon variant="subtle" size="sm" color="gray" aria-label={`Move ${lead.name}`}>
              ⋮
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Move to</Menu.Label>
            {stages
              .filter((s) => s.id !== from)
              .map((s) => (
                <Menu.Item key={s.id} onClick={() => onMove(s.id)}>
                  {s.name}
                </Menu.Item>
              ))}
          </Menu.Dropdown>
        </Menu>
      </Group>
      {idOf(lead.partner_id) !== null && (
        <Text size="xs" c="gray.7" truncate>
          {displayName(lead.partner_id)}
        </Text>
      )}
      <Group justify="space-between" mt={4} wrap="nowrap">
        <span role="img" aria-label={`Priority ${lead.priority ?? 0} of 3`}>
          <Rating value={Number(lead.priority ?? 0)} count={3} readOnly size="xs" />
        </span>
        <Text size="xs" fw={500}>
          {money(lead.expected_revenue)}
        </Text>
        {user ? (
          <Avatar size="sm" radius="xl" color="blue" title={user} role="img" aria-label={user}>
            {initials(user)}
          </Avatar>
        ) : (
          <Avatar size="sm" radius="xl" title="Unassigned" role="img" aria-label="Unassigned" />
        )}
      </Group>
    </Card>
  );
}

function QuickCreate({ stageId }: { stageId: number }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => api("POST", "/auto/leads", { name, stage_id: stageId }),
    onSuccess: () => {
      setName("");
      setOpen(false);
      void qc.invalidateQueries({ queryKey: ["kanban"] });
    },
  });
  if (!open) {
    return (
      <Button size="compact-xs" variant="subtle" fullWidth onClick={() => setOpen(true)}>
        + Quick create
      </Button>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate();
  };
  return (
    <form onSubmit={submit}>
      <TextInput size="xs" aria-label="New lead name" placeholder="Lead name" autoFocus value={name} onChange={(e) => setName(e.currentTarget.value)} error={create.error?.message} />
      <Group gap={4} mt={4}>
        <Button size="compact-xs" type="submit" loading={create.isPending}>
          Add
        </Button>
        <Button size="compact-xs" variant="default" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </Group>
    </form>
  );
}
