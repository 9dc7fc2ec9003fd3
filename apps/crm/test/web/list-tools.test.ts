import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningCrm, axeProblems, context, launch, login, shot, startCrm } from "./browser.js";

/**
 * The list's tools end to end in Debian's chromium: saved filters (each user's own), CSV export of
 * the current filter, bulk edit of one field on the selected rows.
 */
describe("list tools in a real browser: saved filters, CSV export, bulk edit", () => {
  let crm: RunningCrm;
  let browser: Browser;
  let sales: Page;
  const stamp = `Probe ${Date.now().toString(36)}`;
  const ids: number[] = [];

  beforeAll(async () => {
    [crm, browser] = await Promise.all([startCrm(), launch()]);
    sales = await (await context(browser, crm.url)).newPage();
    await login(sales, "sales");
    const me = ((await (await sales.request.get("/api/me")).json()) as { data: { id: number } }).data;
    const stage = (
      (await (await sales.request.get("/auto/lead_stages?order=sequence&limit=1")).json()) as { data: { id: number }[] }
    ).data[0]?.id;
    for (const name of [`${stamp} alpha`, `${stamp} beta, with a comma`, `=SUM(1) ${stamp}`]) {
      const r = await sales.request.post("/auto/leads", {
        data: { name, stage_id: stage, user_id: me.id, priority: "0" },
      });
      expect(r.status()).toBe(201);
      ids.push(((await r.json()) as { id: number }).id);
    }
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await crm?.stop();
  });

  const total = (page: Page) => page.getByTestId("list-total").innerText();
  const filterByName = async (page: Page, text: string) => {
    await page.getByRole("button", { name: "Add filter" }).click();
    await page.getByLabel("Filter 1 value").fill(text);
  };

  test("save the current filter under a name, clear it, apply it again from the menu", async () => {
    await sales.goto("/leads");
    await sales.getByRole("table").locator("tbody tr").first().waitFor();
    await filterByName(sales, stamp);
    await expect.poll(() => total(sales)).toBe("3 records");
    // many2one cells show the related record's display name, read in the same request as the rows
    const row = sales.getByRole("row", { name: new RegExp(`${stamp} alpha`) });
    await expect.poll(() => row.innerText()).toContain("Sam Sales");
    expect(await row.innerText()).not.toMatch(/#\d+/);
    await sales.getByRole("button", { name: /^Saved filters/ }).click();
    await sales.getByRole("menuitem", { name: "Save current filter…" }).click();
    const dialog = sales.getByRole("dialog", { name: "Save the current filter" });
    await dialog.getByLabel("Name").fill("My probes");
    await expect.poll(() => axeProblems(sales), { timeout: 10_000 }).toEqual([]);
    await shot(sales, "list-save-filter");
    await dialog.getByRole("button", { name: "Save filter" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect
      .poll(() => sales.getByRole("button", { name: /^Saved filters/ }).innerText())
      .toBe("Saved filters (1)");

    await sales.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(async () => Number((await total(sales)).replace(/\D/g, ""))).toBeGreaterThan(3);
    await sales.getByRole("button", { name: /^Saved filters/ }).click();
    await sales.getByRole("menuitem", { name: "My probes" }).click();
    await expect.poll(() => total(sales)).toBe("3 records");
    expect(await sales.getByLabel("Filter 1 value").inputValue()).toBe(stamp);
    await shot(sales, "list-saved-filter-applied");
  });

  test("export CSV downloads the current filter's rows in the list's order, formulas defused", async () => {
    await sales.getByRole("button", { name: "Name" }).click();
    await expect
      .poll(() => sales.getByRole("columnheader", { name: /Name/ }).getAttribute("aria-sort"))
      .toBe("ascending");
    const [download] = await Promise.all([
      sales.waitForEvent("download"),
      sales.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^leads-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await download.path()) as string, "utf8").replace(/^\uFEFF/, "");
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^"id","name",/);
    const names = lines.slice(1).map((l) => /^"\d+","((?:[^"]|"")*)"/.exec(l)?.[1]);
    expect(names).toHaveLength(3);
    expect(names).toContain(`'=SUM(1) ${stamp}`);
    expect(names.indexOf(`${stamp} alpha`)).toBeLessThan(names.indexOf(`${stamp} beta, with a comma`));
    expect(names.indexOf(`${stamp} alpha`)).toBeGreaterThanOrEqual(0);
  });

  test("select the rows and set one field on all of them at once", async () => {
    await sales.getByRole("checkbox", { name: "Select all on this page" }).check();
    await sales.getByText("3 selected").waitFor();
    await sales.getByRole("button", { name: "Edit field" }).click();
    const dialog = sales.getByRole("dialog", { name: "Set a field on 3 records" });
    await dialog.getByLabel("Field to set", { exact: true }).click();
    await sales.getByRole("option", { name: "Priority", exact: true }).click();
    await dialog.getByLabel("Priority", { exact: true }).click();
    await sales.getByRole("option", { name: "Excellent", exact: true }).click();
    await expect.poll(() => axeProblems(sales), { timeout: 10_000 }).toEqual([]);
    await shot(sales, "list-bulk-edit");
    await dialog.getByRole("button", { name: "Set on 3 records" }).click();
    await dialog.waitFor({ state: "hidden" });
    for (const id of ids) {
      const lead = (
        (await (await sales.request.get(`/auto/leads/${id}?fields=priority`)).json()) as { data: { priority: string } }
      ).data;
      expect(lead.priority).toBe("3");
    }
    expect(await sales.getByText("3 selected").count()).toBe(0);
  });

  test("another user, an administrator included (who bypasses record rules), sees none of these saved filters", async () => {
    for (const who of ["sales2", "admin"]) {
      const other = await (await context(browser, crm.url)).newPage();
      await login(other, who);
      await other.goto("/leads");
      await other.getByRole("table").locator("tbody tr").first().waitFor();
      await other.waitForLoadState("networkidle");
      await expect.poll(() => other.getByRole("button", { name: /^Saved filters/ }).innerText()).toBe("Saved filters");
      await other.getByRole("button", { name: /^Saved filters/ }).click();
      await other.getByText("No saved filters yet").waitFor();
      await other.context().close();
    }
  });
});
