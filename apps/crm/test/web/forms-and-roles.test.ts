import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningCrm, axeProblems, context, launch, login, shot, startCrm } from "./browser.js";

type Line = { id: number; product_id: number; quantity: string; price_unit: string };

/**
 * Forms with a one2many table (a sale's lines, saved with relation commands in the same request)
 * and the administrators' role-inheritance page, end to end in Debian's chromium.
 */
describe("one2many tables in forms and the role-inheritance page in a real browser", () => {
  let crm: RunningCrm;
  let browser: Browser;
  let sales: Page;
  const stamp = Date.now().toString(36);
  let products: { id: number; name: string }[] = [];
  let saleId = 0;

  beforeAll(async () => {
    [crm, browser] = await Promise.all([startCrm(), launch()]);
    sales = await (await context(browser, crm.url)).newPage();
    await login(sales, "sales");
    expect(
      (
        await sales.request.post("/auto/partners", { data: { name: `Lines Partner ${stamp}`, is_company: true } })
      ).status(),
    ).toBe(201);
    products = (
      (await (await sales.request.get("/auto/products?fields=name&order=id&limit=2")).json()) as {
        data: { id: number; name: string }[];
      }
    ).data;
    expect(products).toHaveLength(2);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await crm?.stop();
  });

  const pick = async (page: Page, label: string, search: string, option: string) => {
    const input = page.getByRole("combobox", { name: label, exact: true });
    await input.click();
    await input.fill(search);
    await page.getByRole("option", { name: option, exact: true }).click();
  };
  /**
   * A GET through the page's request context, sent again once when the server closed the idle
   * keep-alive socket just as it was reused (ECONNRESET; a browser retries such a request itself).
   */
  const getJson = async <T>(page: Page, path: string): Promise<T> => {
    try {
      return (await (await page.request.get(path)).json()) as T;
    } catch (e) {
      if (!String(e).includes("ECONNRESET")) throw e;
      return (await (await page.request.get(path)).json()) as T;
    }
  };
  const linesOf = async (id: number) =>
    (
      await getJson<{ data: Line[] }>(
        sales,
        `/auto/sale_lines?fields=product_id,quantity,price_unit&order=id&filter=${encodeURIComponent(JSON.stringify([["sale_id", "=", id]]))}`,
      )
    ).data;
  const [p1, p2] = [
    () => products[0] as { id: number; name: string },
    () => products[1] as { id: number; name: string },
  ];

  test("create a sale with two lines in one save; the lines show their computed subtotals", async () => {
    await sales.goto("/sales/create");
    await sales.locator("input[name=name]").fill(`SO-${stamp}`);
    await pick(sales, "Partner", `Lines Partner ${stamp}`, `Lines Partner ${stamp}`);
    // a salesperson's sales are their own: the record rule refuses one without them
    await pick(sales, "Salesperson", "Sam", "Sam Sales");
    const table = sales.getByRole("table", { name: "Lines" });
    await sales.getByText("No lines yet.").waitFor();
    await sales.getByRole("button", { name: "Add a line" }).click();
    await pick(sales, "Product, line 1", p1().name, p1().name);
    await sales.getByLabel("Quantity, line 1").fill("2");
    await sales.getByLabel("Price unit, line 1").fill("10.50");
    await sales.getByRole("button", { name: "Add a line" }).click();
    await pick(sales, "Product, line 2", p2().name, p2().name);
    await sales.getByLabel("Price unit, line 2").fill("5");
    await sales.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => sales.url()).toMatch(/\/sales\/\d+$/);
    saleId = Number(/\/sales\/(\d+)$/.exec(sales.url())?.[1]);
    await sales.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(2);
    await expect.poll(() => table.locator("tbody tr").first().innerText()).toContain("21.00");
    expect(await table.locator("tbody tr").nth(1).innerText()).toContain("5.00");
    const lines = await linesOf(saleId);
    expect(lines.map((l) => [l.product_id, l.quantity, l.price_unit])).toEqual([
      [p1().id, "2.00", "10.50"],
      [p2().id, "1.00", "5.00"],
    ]);
    await expect.poll(() => axeProblems(sales), { timeout: 10_000 }).toEqual([]);
    await shot(sales, "form-one2many");
  });

  test("edit the lines: change one, remove one, add one; all saved together, the kept line keeps its id", async () => {
    const before = await linesOf(saleId);
    await sales.getByLabel("Quantity, line 1").fill("3");
    await sales.getByRole("button", { name: "Remove line 2" }).click();
    await sales.getByRole("button", { name: "Add a line" }).click();
    await pick(sales, "Product, line 2", p2().name, p2().name);
    await sales.getByLabel("Quantity, line 2").fill("4");
    await sales.getByLabel("Price unit, line 2").fill("1");
    await sales.getByRole("button", { name: "Save" }).click();
    await sales.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    const after = await linesOf(saleId);
    expect(after.map((l) => [l.product_id, l.quantity, l.price_unit])).toEqual([
      [p1().id, "3.00", "10.50"],
      [p2().id, "4.00", "1.00"],
    ]);
    expect(after[0]?.id).toBe(before[0]?.id);
    expect(after.some((l) => l.id === before[1]?.id)).toBe(false);
    const table = sales.getByRole("table", { name: "Lines" });
    await expect.poll(() => table.locator("tbody tr").first().innerText()).toContain("31.50");
    // a saved form leaves without the unsaved-changes guard
    await sales.goto("/sales");
    await sales.getByRole("table").locator("tbody tr").first().waitFor();
  });

  test("role inheritance: what each role inherits; a cycle is refused before it is sent; a change is saved", async () => {
    const admin = await (await context(browser, crm.url)).newPage();
    await login(admin, "admin");
    await admin.goto("/admin/roles");
    const manager = admin.locator('tr[data-role="sales_manager"]');
    await expect.poll(() => manager.getByTestId("inherited").textContent()).toBe("Salesperson");
    expect(await admin.locator('tr[data-role="viewer"]').getByTestId("inherited").textContent()).toBe("nothing");
    await expect.poll(() => axeProblems(admin), { timeout: 10_000 }).toEqual([]);
    await shot(admin, "admin-role-inheritance");

    // the salesperson inheriting the sales manager would make each inherit from itself
    const salesperson = admin.locator('tr[data-role="salesperson"]');
    await salesperson.locator(".mantine-MultiSelect-input").click();
    await admin.getByRole("option", { name: "Sales manager", exact: true }).click();
    await salesperson.getByText("Salesperson would inherit from itself through Sales manager").waitFor();
    expect(await salesperson.getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
    await admin.keyboard.press("Escape");
    await shot(admin, "admin-role-cycle");
    await admin.reload();

    // the viewer now inherits the salesperson: the rights table says where each right comes from
    const viewer = admin.locator('tr[data-role="viewer"]');
    await viewer.locator(".mantine-MultiSelect-input").click();
    await admin.getByRole("option", { name: "Salesperson", exact: true }).click();
    await admin.keyboard.press("Escape");
    await viewer.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => viewer.getByTestId("inherited").textContent()).toBe("Salesperson");
    const roles = (
      await getJson<{ data: { id: number; code: string; based_role_ids: number[] }[] }>(
        admin,
        "/auto/roles?fields=code,based_role_ids",
      )
    ).data;
    const id = (code: string) => roles.find((r) => r.code === code)?.id;
    expect(roles.find((r) => r.code === "viewer")?.based_role_ids).toEqual([id("salesperson")]);
    expect(roles.find((r) => r.code === "salesperson")?.based_role_ids).toEqual([]);
    await admin.getByLabel("Role whose rights are shown", { exact: true }).first().click();
    await admin.getByRole("option", { name: "Viewer (read only)", exact: true }).click();
    const leads = admin.getByTestId("effective-rights").locator('tr[data-model="leads"]');
    await expect
      .poll(() => leads.locator('td[data-perm="perm_read"]').innerText())
      .toBe("yes (Salesperson, Viewer (read only))");
    expect(await leads.locator('td[data-perm="perm_create"]').innerText()).toBe("yes (Salesperson)");
    expect(await leads.locator('td[data-perm="perm_delete"]').innerText()).toBe("—");
    await admin.context().close();
  });

  test("phone-width screenshots of the form with lines and of the role-inheritance page", async () => {
    for (const [who, path, ready] of [
      ["sales", `/sales/${saleId}`, '[data-testid="o2m-line"]'],
      ["admin", "/admin/roles", 'tr[data-role="viewer"]'],
    ] as const) {
      const phone = await (await context(browser, crm.url, { width: 390, height: 844 })).newPage();
      await login(phone, who);
      await phone.goto(path);
      await phone.locator(ready).first().waitFor();
      await shot(phone, `phone${path.replace(/\/\d+$/, "-form").replace(/\//g, "-")}`);
      await phone.context().close();
    }
  });

  test("the role-inheritance page is for administrators only", async () => {
    await sales.goto("/admin/roles");
    await sales.getByText("This page is for administrators.").waitFor();
    expect(await sales.getByRole("navigation", { name: "Main" }).getByText("Role inheritance").count()).toBe(0);
  });
});
