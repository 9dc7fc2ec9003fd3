import { type CSSVariablesResolver, Center, Loader, MantineProvider, Text, createTheme } from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, Suspense, lazy } from "react";
import { Navigate, Outlet, RouterProvider, createBrowserRouter, useLocation, useParams } from "react-router";
import { ApiError, setUnauthorizedHandler } from "./api/client";
import { fieldsQuery } from "./api/hooks";
import { AuthProvider, isAdmin, useAuth } from "./auth/auth";
import { LoginPage } from "./auth/LoginPage";
import { ChatPage } from "./chat/ChatPage";
import { LeadKanban, kanbanQuery } from "./kanban/LeadKanban";
import { Shell } from "./layout/Shell";
import { navModels } from "./models";
import { FormView } from "./views/FormView";
import { ListView } from "./views/ListView";

const DashboardPage = lazy(() => import("./dashboard/DashboardPage"));
const RoleInheritancePage = lazy(() => import("./admin/RoleInheritancePage"));

const theme = createTheme({ primaryColor: "blue", primaryShade: 8, defaultRadius: "sm" });
/** Error texts and required marks dark enough for WCAG AA contrast on white. */
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { "--mantine-color-error": "var(--mantine-color-red-9)" },
  dark: {},
});

/** A fresh query client: no retry on client errors (4xx are answers, not hiccups). */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2, refetchOnWindowFocus: false },
    },
  });
}

/**
 * Starts loading what the first page shows while `/api/me` is still on its way, instead of after it:
 * the kanban board, or a model page's field metadata. Without a session these fail with 401 like
 * `me` does, and the page asks again after login.
 *
 * @example
 * prefetchFirstPage(client, "/leads"); // GET /auto/leads/fields, beside GET /api/me
 */
export function prefetchFirstPage(client: QueryClient, path: string): void {
  const [first = "", ...rest] = path.split("/").filter((p) => p !== "");
  if (first === "kanban" && rest.length === 0) void client.prefetchQuery(kanbanQuery);
  else if (/^[a-z][a-z0-9_]*$/.test(first) && rest.length <= 1 && !reserved.has(first))
    void client.prefetchQuery(fieldsQuery(first));
}

/** First path segments that are pages, not models. */
const reserved = new Set(["login", "kanban", "dashboard", "admin", "chat"]);

const spinner = (
  <Center p="xl">
    <Loader aria-label="Loading" />
  </Center>
);

/** Sends a visitor without a session to the login page, remembering where they were going. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return spinner;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return children;
}

const forAdmins = (
  <Text c="gray.7" role="alert">
    This page is for administrators.
  </Text>
);

/** The administration models (users, roles, access lists, rules) are for administrators only. */
function ModelRoute({ children }: { children: ReactNode }) {
  const { model = "" } = useParams();
  const { me } = useAuth();
  if (navModels.some((m) => m.admin && m.table === model) && !isAdmin(me)) return forAdmins;
  return children;
}

/** A page for administrators only. */
function AdminOnly({ children }: { children: ReactNode }) {
  const { me } = useAuth();
  return isAdmin(me) ? children : forAdmins;
}

const router = createBrowserRouter([
  { path: "/login", element: <LoginPage /> },
  {
    element: (
      <RequireAuth>
        <Shell />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <Navigate to="/leads" replace /> },
      { path: "kanban", element: <LeadKanban /> },
      {
        path: "dashboard",
        element: (
          <Suspense fallback={spinner}>
            <DashboardPage />
          </Suspense>
        ),
      },
      {
        path: "admin/roles",
        element: (
          <AdminOnly>
            <Suspense fallback={spinner}>
              <RoleInheritancePage />
            </Suspense>
          </AdminOnly>
        ),
      },
      { path: "chat", element: <ChatPage /> },
      { path: "chat/:chatId", element: <ChatPage /> },
      {
        path: ":model",
        element: (
          <ModelRoute>
            <Outlet />
          </ModelRoute>
        ),
        children: [
          { index: true, element: <ListView /> },
          { path: "create", element: <FormView /> },
          { path: ":id", element: <FormView /> },
        ],
      },
    ],
  },
]);

/** The CRM's web application. */
export function App({ client }: { client: QueryClient }) {
  setUnauthorizedHandler(() => {
    if (client.getQueryData(["me"]) === null) return;
    client.setQueryData(["me"], null);
  });
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <DatesProvider settings={{ firstDayOfWeek: 1 }}>
        <QueryClientProvider client={client}>
          <AuthProvider>
            <RouterProvider router={router} />
          </AuthProvider>
        </QueryClientProvider>
      </DatesProvider>
    </MantineProvider>
  );
}
