import {
  ActionIcon,
  Alert,
  Avatar,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Menu,
  Paper,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, useState } from "react";
import { Link } from "react-router";
import { ApiError, type Row, api, displayName, idOf } from "../api/client";

type Stage = Pick<Row<"LeadStages">, "id" | "name" | "sequence">;
type Card_ = Pick<
  Row<"Leads">,
  "id" | "name" | "expected_revenue" | "priority" | "stage_id" | "partner_id" | "user_id"
>;
/** One stage's column of `GET /api/kanban`: the leads the user may read in it, their revenue, the newest cards. */
type Column = { stage_id: number; n: number; total: string; cards: Card_[] };
type Board = { stages: Stage[]; columns: Column[] };

const perColumn = 40;
const money = (v: string | number | null | undefined) =>
  Number(v ?? 0).toLocaleString(undefined, { maximumFractionDigits: 0 });
const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();

/** The whole board in one request (`GET /api/kanban`): stages, per-stage counts and sums, the newest cards. */
export const kanbanQuery = queryOptions({
  queryKey: ["kanban"],
  // a board prefetched while the page loads is not fetched again as it mounts; moves invalidate it
  staleTime: 10_000,
  queryFn: async () => (await api<{ data: Board }>("GET", `/api/kanban?limit=${perColumn}`)).data,
});

/** The leads pipeline: a column per stage with totals; drag a card (or use its menu) to change its stage. */
export function LeadKanban() {
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const board = useQuery(kanbanQuery);

  const move = useMutation({
    mutationFn: ({ lead, to }: { lead: Card_; from: number; to: number }) =>
      api("PATCH", `/auto/leads/${lead.id}`, { stage_id: to }),
    onMutate: async ({ lead, from, to }) => {
      setProblem(null);
      await qc.cancelQueries({ queryKey: ["kanban"] });
      const before = qc.getQueryData<Board>(["kanban"]);
      const revenue = Number(lead.expected_revenue ?? 0);
      const moved = (c: Column): Column =>
        c.stage_id === from
          ? {
              ...c,
              n: c.n - 1,
              total: String(Number(c.total) - revenue),
              cards: c.cards.filter((l) => l.id !== lead.id),
            }
          : c.stage_id === to
            ? {
                ...c,
                n: c.n + 1,
                total: String(Number(c.total) + revenue),
                cards: [{ ...lead, stage_id: to }, ...c.cards],
              }
            : c;
      qc.setQueryData<Board>(["kanban"], (b) => b && { ...b, columns: b.columns.map(moved) });
      return before;
    },
    onError: (e, { lead }, before) => {
      if (before) qc.setQueryData(["kanban"], before);
      const why =
        e instanceof ApiError && e.status === 403
          ? "you may not change this lead"
          : e instanceof ApiError && e.status === 409
            ? "it conflicts with another change"
            : e.message;
      setProblem(`"${lead.name}" was not moved: ${why}`);
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: ["kanban"] }),
  });

  if (board.isError) return <Alert color="red">{(board.error as Error).message}</Alert>;
  if (!board.data) return <Loader aria-label="Loading" />;
  const list = board.data.stages;
  const columns = new Map(board.data.columns.map((c) => [c.stage_id, c]));
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
          {list.map((s) => {
            const col = columns.get(s.id);
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
                    {col?.n ?? 0}
                  </Badge>
                </Group>
                <Text size="xs" c="gray.7" mb="xs" data-testid="column-total">
                  {money(col?.total)} expected
                </Text>
                <QuickCreate stageId={s.id} />
                <Stack gap={6} mt="xs">
                  {col?.cards.length === 0 && (
                    <Text size="xs" c="gray.7" ta="center" py="sm">
                      No leads
                    </Text>
                  )}
                  {col?.cards.map((lead) => (
                    <LeadCard
                      key={lead.id}
                      lead={lead}
                      stages={list}
                      onMove={(to) => move.mutate({ lead, from: s.id, to })}
                      from={s.id}
                    />
                  ))}
                  {col && col.n > col.cards.length && (
                    <Text size="xs" c="gray.7" ta="center">
                      and {col.n - col.cards.length} more in the list
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

function LeadCard({
  lead,
  stages,
  from,
  onMove,
}: {
  lead: Card_;
  stages: Stage[];
  from: number;
  onMove(to: number): void;
}) {
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
        <Text
          size="sm"
          fw={600}
          component={Link}
          to={`/leads/${lead.id}`}
          c="inherit"
          style={{ overflowWrap: "anywhere" }}
        >
          {lead.name}
        </Text>
        <MoveMenu name={lead.name ?? ""} stages={stages.filter((s) => s.id !== from)} onMove={onMove} />
      </Group>
      {idOf(lead.partner_id) !== null && (
        <Text size="xs" c="gray.7" truncate>
          {displayName(lead.partner_id)}
        </Text>
      )}
      <Group justify="space-between" mt={4} wrap="nowrap">
        <Stars value={Number(lead.priority ?? 0)} />
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

/** The priority as three stars, drawn as text: a board shows hundreds, so no input widget per card. */
function Stars({ value }: { value: number }) {
  return (
    <Text span size="sm" lh={1} role="img" aria-label={`Priority ${value} of 3`}>
      <span style={{ color: "var(--mantine-color-yellow-7)" }}>{"★".repeat(value)}</span>
      <span style={{ color: "var(--mantine-color-gray-5)" }}>{"★".repeat(3 - value)}</span>
    </Text>
  );
}

/**
 * A card's "move to" menu. The menu (with its floating positioning) is only built once opened: a
 * board of 240 cards otherwise spends most of its first render on 240 closed menus.
 */
function MoveMenu({ name, stages, onMove }: { name: string; stages: Stage[]; onMove(to: number): void }) {
  const [open, setOpen] = useState(false);
  const button = (
    <ActionIcon
      variant="subtle"
      size="sm"
      color="gray"
      aria-label={`Move ${name}`}
      aria-haspopup="menu"
      onClick={open ? undefined : () => setOpen(true)}
    >
      ⋮
    </ActionIcon>
  );
  if (!open) return button;
  return (
    <Menu position="bottom-end" withinPortal opened onChange={setOpen}>
      <Menu.Target>{button}</Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Move to</Menu.Label>
        {stages.map((s) => (
          <Menu.Item key={s.id} onClick={() => onMove(s.id)}>
            {s.name}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
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
      <TextInput
        size="xs"
        aria-label="New lead name"
        placeholder="Lead name"
        autoFocus
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={create.error?.message}
      />
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
