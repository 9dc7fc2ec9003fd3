import { AppShell, Badge, Burger, Button, Group, NavLink, ScrollArea, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { isAdmin, useAuth } from "../auth/auth";
import { navModels } from "../models";

/** The application frame: header with the user's name, roles and logout; navigation; the page. */
export function Shell() {
  const { me, logout } = useAuth();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const admin = isAdmin(me);
  const link = (to: string, label: string) => (
    <NavLink
      key={to}
      component={Link}
      to={to}
      label={label}
      active={location.pathname === to || location.pathname.startsWith(`${to}/`)}
      onClick={close}
    />
  );
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Text fw={700} component={Link} to="/leads" c="inherit" td="none">
              DotORM CRM
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" fw={500} data-testid="user-name" truncate maw={160}>
              {me?.name}
            </Text>
            <Group gap={4} visibleFrom="xs" data-testid="user-roles">
              {me?.roles.map((r) => (
                <Badge key={r} variant="light" size="sm">
                  {r}
                </Badge>
              ))}
            </Group>
            <Button
              variant="subtle"
              size="xs"
              onClick={async () => {
                await logout();
                navigate("/login");
              }}
            >
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <ScrollArea>
          {link("/kanban", "Pipeline")}
          {link("/dashboard", "Dashboard")}
          {link("/chat", "Chat")}
          {navModels.filter((m) => !m.admin).map((m) => link(`/${m.table}`, m.title))}
          {admin && (
            <>
              <Text size="xs" c="gray.7" mt="sm" px="sm">
                Administration
              </Text>
              {navModels.filter((m) => m.admin).map((m) => link(`/${m.table}`, m.title))}
              {link("/admin/roles", "Role inheritance")}
            </>
          )}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
