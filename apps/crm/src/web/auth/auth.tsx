import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, createContext, useContext } from "react";
import { ApiError, api } from "../api/client";

/** The logged-in user, as `/api/me` returns it. */
export interface Me {
  id: number;
  name: string;
  login: string;
  email: string | null;
  is_admin: boolean;
  roles: string[];
  team_ids: number[];
}

interface AuthState {
  me: Me | null;
  loading: boolean;
  login(login: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

/** Loads `/api/me` once; a 401 means "not logged in". */
export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useQuery({
    queryKey: ["me"],
    queryFn: async () => {
      try {
        return (await api<{ data: Me }>("GET", "/api/me")).data;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
  const state: AuthState = {
    me: me.data ?? null,
    loading: me.isPending,
    async login(login, password) {
      const r = await api<{ user: Me }>("POST", "/api/login", { login, password });
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
      qc.setQueryData(["me"], r.user);
    },
    async logout() {
      await api("POST", "/api/logout").catch(() => {});
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
      qc.setQueryData(["me"], null);
    },
  };
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}

/** The auth state; throws outside {@link AuthProvider}. */
export function useAuth(): AuthState {
  const s = useContext(AuthContext);
  if (!s) throw new Error("useAuth outside AuthProvider");
  return s;
}

/** Whether the user is an administrator. */
export const isAdmin = (me: Me | null): boolean => !!me && (me.is_admin || me.roles.includes("admin"));
