import "@mantine/core/styles.css";
import "@mantine/dates/styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, makeQueryClient, prefetchFirstPage } from "./App";

const root = document.getElementById("root");
if (root) {
  const client = makeQueryClient();
  prefetchFirstPage(client, window.location.pathname);
  createRoot(root).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}
