import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  Loader,
  NavLink,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { type Row, api, displayName } from "../api/client";
import { useAuth } from "../auth/auth";

type Chat = Pick<Row<"Chats">, "id" | "name" | "chat_type">;
type Message = Pick<Row<"ChatMessages">, "id" | "body" | "starred" | "pinned" | "created_at" | "author_id">;

/** The chats the user is a member of, one chat's messages (live through Server-Sent Events), send, star and pin. */
export function ChatPage() {
  const { chatId } = useParams();
  const navigate = useNavigate();
  const chats = useQuery({
    queryKey: ["chats"],
    queryFn: async () =>
      (
        await api<{ data: Chat[] }>("POST", "/auto/chats/search", {
          fields: ["name", "chat_type"],
          order: "name",
          limit: 200,
        })
      ).data,
  });
  const current = chatId ? Number(chatId) : chats.data?.[0]?.id;
  return (
    <Stack gap="sm">
      <Title order={1} size="h2">
        Chat
      </Title>
      {chats.isError && <Alert color="red">{(chats.error as Error).message}</Alert>}
      <Grid>
        <Grid.Col span={{ base: 12, sm: 3 }}>
          <Paper withBorder p={4} component="nav" aria-label="Chats">
            {chats.data?.length === 0 && (
              <Text size="sm" c="gray.7" p="sm">
                You are in no chat yet.
              </Text>
            )}
            {chats.data?.map((c) => (
              <NavLink
                key={c.id}
                label={c.chat_type === "direct" ? `${c.name} (direct)` : c.name}
                active={c.id === current}
                onClick={() => navigate(`/chat/${c.id}`)}
              />
            ))}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 9 }}>
          {current !== undefined && <Conversation key={current} chatId={current} />}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Conversation({ chatId }: { chatId: number }) {
  const qc = useQueryClient();
  const { me } = useAuth();
  const [body, setBody] = useState("");
  const [live, setLive] = useState(false);
  const key = ["chat-messages", chatId];
  const messages = useQuery({
    queryKey: key,
    queryFn: async () =>
      (
        await api<{ data: Message[] }>("POST", "/auto/chat_messages/search", {
          filter: [["chat_id", "=", chatId]],
          fields: ["body", "starred", "pinned", "created_at", "author_id"],
          nested: { author_id: ["name"] },
          order: "id",
          sort: "desc",
          limit: 50,
        })
      ).data.reverse(),
  });
  useEffect(() => {
    const source = new EventSource(`/api/chats/${chatId}/stream`);
    source.addEventListener("ready", () => setLive(true));
    source.addEventListener("message", () => void qc.invalidateQueries({ queryKey: ["chat-messages", chatId] }));
    source.onerror = () => setLive(false);
    return () => source.close();
  }, [chatId, qc]);
  const send = useMutation({
    mutationFn: () => api("POST", "/auto/chat_messages", { chat_id: chatId, body, author_id: me?.id }),
    onSuccess: () => {
      setBody("");
      void qc.invalidateQueries({ queryKey: key });
    },
  });
  const flag = useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: Partial<Pick<Message, "starred" | "pinned">> }) =>
      api("PATCH", `/auto/chat_messages/${id}`, patch),
    onSettled: () => void qc.invalidateQueries({ queryKey: key }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (body.trim()) send.mutate();
  };
  const pinned = messages.data?.filter((m) => m.pinned) ?? [];
  const viewport = useRef<HTMLDivElement>(null);
  const last = messages.data?.at(-1)?.id;
  useEffect(() => {
    // the newest message in view when the chat opens and when one arrives
    if (last !== undefined) viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [last]);
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs">
        <Text size="sm" c="gray.7">
          {pinned.length > 0 ? `${pinned.length} pinned` : " "}
        </Text>
        <Badge color={live ? "teal.9" : "gray.8"} variant="outline" data-testid="live">
          {live ? "live" : "connecting"}
        </Badge>
      </Group>
      {messages.isPending && <Loader size="sm" aria-label="Loading" />}
      <ScrollArea h={420} type="auto" viewportRef={viewport}>
        <Stack gap={6} aria-live="polite" data-testid="messages">
          {messages.data?.length === 0 && (
            <Text size="sm" c="gray.7">
              No messages yet.
            </Text>
          )}
          {messages.data?.map((m) => (
            <Paper key={m.id} p="xs" bg={m.pinned ? "yellow.0" : "gray.0"} data-testid="message">
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text size="xs" fw={600}>
                  {displayName(m.author_id)}{" "}
                  <Text span size="xs" c="gray.7" fw={400}>
                    {m.created_at ? new Date(m.created_at).toLocaleString() : ""}
                  </Text>
                </Text>
                <Group gap={2} wrap="nowrap">
                  <ActionIcon
                    size="sm"
                    variant="subtle"
                    color={m.starred ? "orange.9" : "gray.7"}
                    aria-label="Star"
                    aria-pressed={!!m.starred}
                    onClick={() => flag.mutate({ id: m.id, patch: { starred: !m.starred } })}
                  >
                    {m.starred ? "★" : "☆"}
                  </ActionIcon>
                  <Button
                    size="compact-xs"
                    variant={m.pinned ? "filled" : "subtle"}
                    color="gray.8"
                    aria-pressed={!!m.pinned}
                    onClick={() => flag.mutate({ id: m.id, patch: { pinned: !m.pinned } })}
                  >
                    {m.pinned ? "Pinned" : "Pin"}
                  </Button>
                </Group>
              </Group>
              <Text size="sm" style={{ overflowWrap: "anywhere", whiteSpace: "pre-wrap" }}>
                {m.body}
              </Text>
            </Paper>
          ))}
        </Stack>
      </ScrollArea>
      {(send.error || flag.error) && (
        <Alert color="red" mt="xs">
          {(send.error ?? flag.error)?.message}
        </Alert>
      )}
      <form onSubmit={submit}>
        <Group mt="sm" align="flex-end" wrap="nowrap">
          <Textarea
            style={{ flex: 1 }}
            label="Message"
            autosize
            minRows={1}
            maxRows={5}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
          />
          <Button type="submit" loading={send.isPending}>
            Send
          </Button>
        </Group>
      </form>
    </Paper>
  );
}
