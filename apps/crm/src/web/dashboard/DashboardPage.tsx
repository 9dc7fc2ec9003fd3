import "@mantine/charts/styles.css";
import { AreaChart, BarChart, FunnelChart } from "@mantine/charts";
import { Alert, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { DatePickerInput, type DatesRangeValue } from "@mantine/dates";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, query } from "../api/client";
import { type Picked, RecordPicker } from "../views/RecordPicker";

/** What `GET /api/dashboard` returns. */
export interface DashboardData {
  pipeline: { stage_id: number; stage: string; leads: number; value: number }[];
  "won-revenue": { month: string; revenue: number; sales: number }[];
  funnel: { stage_id: number; stage: string; leads: number }[];
  activity: { day: string; user_id: number; events: number }[];
  messages: { day: string; messages: number }[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const colors = ["blue.6", "cyan.6", "teal.6", "green.6", "lime.6", "yellow.6", "orange.6", "red.6"];
const money = (n: number) => n.toLocaleString(undefined, { maximumFractionDigits: 0 });

/** Per user, the events in the range, largest first. */
export function activityPerUser(rows: DashboardData["activity"], names: Map<number, string>) {
  const per = new Map<number, number>();
  for (const r of rows) per.set(r.user_id, (per.get(r.user_id) ?? 0) + r.events);
  return [...per].sort((a, b) => b[1] - a[1]).map(([id, events]) => ({ user: names.get(id) ?? `#${id}`, events }));
}

/** The sales dashboard: pipeline value by stage, won revenue per month, funnel and activity per user, from ClickHouse. */
export default function DashboardPage() {
  const now = new Date();
  const [range, setRange] = useState<DatesRangeValue<string>>([
    day(new Date(now.getTime() - 365 * 86_400_000)),
    day(now),
  ]);
  const [team, setTeam] = useState<Picked | null>(null);
  const [from, to] = range;
  const figures = useQuery({
    queryKey: ["dashboard", from, to, team?.id],
    enabled: !!from && !!to,
    queryFn: async () =>
      (await api<{ data: DashboardData }>("GET", `/api/dashboard${query({ from, to, team_id: team?.id })}`)).data,
  });
  const users = useQuery({
    queryKey: ["dashboard-users"],
    queryFn: async () =>
      (
        await api<{ data: { id: number; name: string }[] }>("POST", "/auto/users/search", {
          fields: ["name"],
          limit: 500,
        })
      ).data,
  });
  const names = new Map((users.data ?? []).map((u) => [u.id, u.name]));
  const d = figures.data;
  const pipelineTotal = d?.pipeline.reduce((s, r) => s + r.value, 0) ?? 0;
  const wonValue = d?.pipeline.find((r) => /won/i.test(r.stage))?.value ?? 0;
  const revenue = d?.["won-revenue"].reduce((s, r) => s + r.revenue, 0) ?? 0;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Title order={1} size="h2">
          Dashboard
        </Title>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <DatePickerInput
            type="range"
            label="Period"
            w={260}
            value={range}
            onChange={setRange}
            valueFormat="YYYY-MM-DD"
          />
          <div style={{ width: 200 }}>
            <RecordPicker model="sales_teams" label="Team" placeholder="All teams" value={team} onChange={setTeam} />
          </div>
        </Group>
      </Group>
      {figures.isError && <Alert color="red">{(figures.error as Error).message}</Alert>}
      {!d && !figures.isError && <Loader aria-label="Loading" />}
      {d && (
        <>
          <SimpleGrid cols={{ base: 1, xs: 3 }}>
            <Stat label="Open pipeline value" value={money(pipelineTotal - wonValue)} testId="stat-pipeline" />
            <Stat label="Won stage value" value={money(wonValue)} testId="stat-won-stage" />
            <Stat label="Confirmed sales revenue" value={money(revenue)} testId="stat-revenue" />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Panel title="Pipeline value by stage">
              <BarChart
                h={240}
                data={d.pipeline}
                dataKey="stage"
                series={[{ name: "value", label: "Value", color: "blue.6" }]}
                valueFormatter={money}
              />
            </Panel>
            <Panel title="Won revenue per month">
              {d["won-revenue"].length === 0 ? (
                <Empty />
              ) : (
                <AreaChart
                  h={240}
                  data={d["won-revenue"]}
                  dataKey="month"
                  series={[{ name: "revenue", label: "Revenue", color: "teal.6" }]}
                  valueFormatter={money}
                  curveType="monotone"
                />
              )}
            </Panel>
            <Panel title="Funnel">
              {d.funnel.length === 0 ? (
                <Empty />
              ) : (
                <FunnelChart
                  h={240}
                  size={220}
                  withLabels
                  labelsPosition="inside"
                  data={d.funnel.map((r, i) => ({
                    name: r.stage,
                    value: r.leads,
                    color: colors[i % colors.length] as string,
                  }))}
                />
              )}
            </Panel>
            <Panel title="Activity per user">
              {d.activity.length === 0 ? (
                <Empty />
              ) : (
                <BarChart
                  h={240}
                  data={activityPerUser(d.activity, names).slice(0, 10)}
                  dataKey="user"
                  orientation="vertical"
                  yAxisProps={{ width: 110 }}
                  series={[{ name: "events", label: "Events", color: "grape.6" }]}
                />
              )}
            </Panel>
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Paper withBorder p="md">
      <Text size="xs" c="gray.7" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

function Panel({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

const Empty = () => (
  <Text c="gray.7" size="sm" ta="center" py="xl">
    Nothing in this period.
  </Text>
);
