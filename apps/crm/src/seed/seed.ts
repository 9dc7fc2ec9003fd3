import type { AnyModel, Database } from "@dotorm/core";
import type { Faker } from "@faker-js/faker";
import type { EventInput } from "../analytics/event-writer.js";
import * as m from "../models/index.js";
import { type Progress, silent } from "./progress.js";
import { type SeedSize, seedSizes, seededFaker, stageHistory, stagePlan, workingTime } from "./seed-plan.js";
import { seedPeople } from "./seed-people.js";
import { createAll, money } from "./seed-rows.js";

/** Options of {@link seed}. */
export interface SeedOptions {
  size: SeedSize;
  progress?: Progress;
  /** The end of the generated year of history. Default: now. */
  now?: Date;
  /** The generator's seed; the same seed and size give the same data. */
  seed?: number;
}

/** Row counts written. */
export type SeedReport = Record<
  "users" | "partners" | "leads" | "sales" | "activities" | "tasks" | "messages" | "events",
  number
>;

/** Whether the records database already holds the CRM's data (then a start does not seed again). */
export async function isSeeded(db: Database): Promise<boolean> {
  return db.sudo(() => m.User.exists());
}

/**
 * Creates the demo data: users for each role (password = login), teams, stages, partners, leads
 * with a year of stage history, sales, activities, projects, chats and messages, in batches through
 * `createMany` (records in one transaction), then the matching analytics events on ClickHouse.
 * Deterministic for a given seed, size and `now`.
 */
export async function seed(dbs: { db: Database; analytics: Database }, options: SeedOptions): Promise<SeedReport> {
  const faker = seededFaker(options.seed);
  const size = seedSizes[options.size];
  const progress = options.progress ?? silent;
  const now = options.now ?? new Date();
  const events: EventInput[] = [];
  const report = { users: 0, partners: 0, leads: 0, sales: 0, activities: 0, tasks: 0, messages: 0, events: 0 };

  await dbs.db.sudo(() =>
    dbs.db.transaction(async () => {
      const { userIds, byLogin, sellers, teamOf, teamIds, teamRows } = await seedPeople(faker, options.size, progress);
      report.users = userIds.length;

      const stageIds = await createAll(
        m.LeadStage,
        stagePlan.map((s) => ({ ...s })),
        progress,
        "stages",
      );
      const tagIds = await createAll(
        m.LeadTag,
        ["hot", "cold", "upsell", "renewal", "partner", "event", "web", "referral"].map((name, i) => ({
          name,
          color: i,
        })),
        progress,
        "tags",
      );
      const productRows = Array.from({ length: size.products }, (_, i) => ({
        name: faker.commerce.productName(),
        code: `P${String(i + 1).padStart(4, "0")}`,
        price: money(faker, 20, 2000),
      }));
      const productIds = await createAll(m.Product, productRows, progress, "products");

      // partners: companies first, then their contacts
      const companies = Math.round(size.partners * 0.3);
      const companyIds = await createAll(
        m.Partner,
        Array.from({ length: companies }, () => ({
          name: faker.company.name(),
          is_company: true,
          email: faker.internet.email(),
          phone: faker.phone.number(),
          city: faker.location.city(),
          country: faker.location.country(),
          website: faker.internet.url(),
          user_id: faker.helpers.arrayElement(sellers),
          created_at: workingTime(faker, now, 400),
        })),
        progress,
        "companies",
      );
      const contactParents = Array.from({ length: size.partners - companies }, () =>
        faker.helpers.arrayElement(companyIds),
      );
      const contactIds = await createAll(
        m.Partner,
        contactParents.map((parent) => ({
          name: faker.person.fullName(),
          parent_id: parent,
          email: faker.internet.email(),
          phone: faker.phone.number(),
          city: faker.location.city(),
          created_at: workingTime(faker, now, 400),
        })),
        progress,
        "contacts",
      );
      const contactsOf = new Map<number, number[]>();
      for (const [i, p] of contactParents.entries())
        contactsOf.set(p, [...(contactsOf.get(p) ?? []), contactIds[i] as number]);
      report.partners = companyIds.length + contactIds.length;

      // leads, each with its stage history as events
      const leadRows = Array.from({ length: size.leads }, () => {
        const partner = faker.helpers.arrayElement(companyIds);
        const user = faker.number.float({ min: 0, max: 1 }) < 0.1 ? null : faker.helpers.arrayElement(sellers);
        const created = workingTime(faker, now, 365);
        const history = stageHistory(faker, created, now);
        const stage = (history[history.length - 1] as { stage: number }).stage;
        return {
          name: `${faker.commerce.productAdjective()} ${faker.commerce.product()} deal`,
          partner_id: partner,
          contact_id: faker.helpers.arrayElement(contactsOf.get(partner) ?? [null]),
          stage_id: stageIds[stage] as number,
          user_id: user,
          team_id: user === null ? faker.helpers.arrayElement(teamIds) : (teamOf.get(user) ?? null),
          expected_revenue: money(faker, 500, 80_000),
          probability: stagePlan[stage]!.probability,
          deadline: new Date(created.getTime() + faker.number.int({ min: 7, max: 120 }) * 86_400_000)
            .toISOString()
            .slice(0, 10),
          tag_ids: faker.helpers.arrayElements(tagIds, { min: 0, max: 2 }),
          priority: faker.helpers.arrayElement(["0", "0", "1", "2", "3"] as const),
          lost_reason:
            stage === 5
              ? faker.helpers.arrayElement(["Too expensive", "Went with a competitor", "No budget", "No answer"])
              : null,
          created_at: created,
          history,
        };
      });
      const leadIds = await createAll(
        m.Lead,
        leadRows.map(({ history: _h, ...row }) => row),
        progress,
        "leads",
      );
      report.leads = leadIds.length;
      leadRows.forEach((l, i) => {
        for (const h of l.history)
          events.push({
            kind: "lead_stage",
            lead_id: leadIds[i],
            stage_id: stageIds[h.stage],
            user_id: l.user_id,
            team_id: l.team_id,
            amount: l.expected_revenue,
            at: h.at,
          });
      });

      // a confirmed sale for each won lead
      const won = leadRows
        .map((l, i) => ({ l, id: leadIds[i] as number }))
        .filter(({ l }) => l.history.at(-1)?.stage === 4);
      const saleLines = won.map(() =>
        Array.from({ length: faker.number.int({ min: 1, max: 4 }) }, () => ({
          product_id: faker.helpers.arrayElement(productIds),
          quantity: String(faker.number.int({ min: 1, max: 20 })),
          price_unit: money(faker, 20, 2000),
          discount: money(faker, 0, 20),
        })),
      );
      const totals = saleLines.map((lines) =>
        (
          lines.reduce((s, l) => s + Math.round(Number(m.lineAmount(l.quantity, l.price_unit, l.discount)) * 100), 0) /
          100
        ).toFixed(2),
      );
      const saleIds = await createAll(
        m.Sale,
        won.map(({ l, id }, i) => ({
          name: `SO${String(i + 1).padStart(5, "0")}`,
          partner_id: l.partner_id,
          lead_id: id,
          user_id: l.user_id,
          team_id: l.team_id,
          state: "confirmed" as const,
          confirmed_at: l.history.at(-1)?.at,
          amount_total: totals[i],
          created_at: l.history.at(-1)?.at,
        })),
        progress,
        "sales",
      );
      await createAll(
        m.SaleLine,
        saleLines.flatMap((lines, i) => lines.map((line) => ({ ...line, sale_id: saleIds[i] }))),
        progress,
        "sale lines",
      );
      for (const [i, { l }] of won.entries())
        events.push({
          kind: "sale_confirmed",
          user_id: l.user_id,
          team_id: l.team_id,
          amount: totals[i],
          at: l.history.at(-1)?.at,
        });
      report.sales = saleIds.length;

      const activityRows = leadIds.flatMap(
        (id, i) =>
          faker.helpers.maybe(
            () => [
              {
                res_model: "leads",
                res_id: id,
                activity_type: faker.helpers.arrayElement(["call", "meeting", "email", "todo"] as const),
                summary: faker.company.buzzPhrase(),
                deadline: new Date(now.getTime() + faker.number.int({ min: -20, max: 30 }) * 86_400_000)
                  .toISOString()
                  .slice(0, 10),
                user_id: leadRows[i]!.user_id ?? faker.helpers.arrayElement(sellers),
              },
            ],
            { probability: 0.4 },
          ) ?? [],
      );
      report.activities = (await createAll(m.Activity, activityRows, progress, "activities")).length;

      const taskStageIds = await createAll(
        m.TaskStage,
        ["To do", "In progress", "Review", "Done"].map((name, i) => ({ name, sequence: i + 1, is_closed: i === 3 })),
        progress,
        "task stages",
      );
      const taskTagIds = await createAll(
        m.TaskTag,
        ["bug", "feature", "docs", "urgent"].map((name, i) => ({ name, color: i })),
        progress,
        "task tags",
      );
      const projectIds = await createAll(
        m.Project,
        ["Website relaunch", "CRM rollout", "Trade fair", "Partner programme", "Q4 campaign"].map((name) => ({
          name,
          user_id: byLogin.get("manager"),
          description: faker.lorem.sentence(),
        })),
        progress,
        "projects",
      );
      const taskRows = Array.from({ length: size.tasks }, () => ({
        name: faker.hacker.phrase().slice(0, 250),
        project_id: faker.helpers.arrayElement(projectIds),
        stage_id: faker.helpers.arrayElement(taskStageIds),
        user_id: faker.helpers.arrayElement(sellers),
        tag_ids: faker.helpers.arrayElements(taskTagIds, { min: 0, max: 2 }),
        priority: faker.helpers.arrayElement(["0", "1", "2"] as const),
        deadline: new Date(now.getTime() + faker.number.int({ min: -30, max: 60 }) * 86_400_000)
          .toISOString()
          .slice(0, 10),
      }));
      report.tasks = (await createAll(m.Task, taskRows, progress, "tasks")).length;

      // chats: one group per team, direct chats between the demo salespeople and the manager
      const chatPlan = [
        ...teamRows.map((t) => ({
          name: t.name,
          chat_type: "group" as const,
          creator_id: t.leader_id ?? (byLogin.get("admin") as number),
          members: t.member_ids,
        })),
        {
          name: "Sam & Max",
          chat_type: "direct" as const,
          creator_id: byLogin.get("manager") as number,
          members: [byLogin.get("manager") as number, byLogin.get("sales") as number],
        },
        {
          name: "Sasha & Max",
          chat_type: "direct" as const,
          creator_id: byLogin.get("manager") as number,
          members: [byLogin.get("manager") as number, byLogin.get("sales2") as number],
        },
      ];
      const chatIds = await createAll(
        m.Chat,
        chatPlan.map(({ members: _m, ...c }) => ({ ...c, created_at: new Date(now.getTime() - 366 * 86_400_000) })),
        progress,
        "chats",
      );
      await createAll(
        m.ChatMember,
        chatPlan.flatMap((c, i) => c.members.map((u) => ({ chat_id: chatIds[i], user_id: u }))),
        progress,
        "members",
      );
      const messageRows = Array.from({ length: size.messages }, () => {
        const c = faker.number.int({ min: 0, max: chatPlan.length - 1 });
        const author = faker.helpers.arrayElement(chatPlan[c]!.members);
        return {
          chat_id: chatIds[c] as number,
          author_id: author,
          body: faker.lorem.sentence({ min: 3, max: 16 }),
          starred: faker.datatype.boolean(0.03),
          pinned: faker.datatype.boolean(0.01),
          created_at: workingTime(faker, now, 365),
        };
      }).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
      report.messages = (await createAll(m.ChatMessage, messageRows, progress, "messages")).length;
      for (const msg of messageRows)
        events.push({
          kind: "message",
          user_id: msg.author_id,
          chat_id: msg.chat_id,
          team_id: teamOf.get(msg.author_id) ?? null,
          at: msg.created_at,
        });

      // logins on working days
      for (const [login, id] of byLogin) {
        for (let d = 365; d >= 0; d--) {
          const at = new Date(now.getTime() - d * 86_400_000);
          if (at.getUTCDay() === 0 || at.getUTCDay() === 6 || !faker.datatype.boolean(login === "admin" ? 0.3 : 0.7))
            continue;
          at.setUTCHours(8, faker.number.int({ min: 0, max: 59 }));
          if (at <= now) events.push({ kind: "login", user_id: id, team_id: teamOf.get(id) ?? null, at });
        }
      }
    }),
  );

  events.sort((a, b) => (a.at as Date).getTime() - (b.at as Date).getTime());
  report.events = (
    await createAll(
      m.Event,
      events.map((e) => ({ ...e, amount: e.amount ?? "0" })),
      progress,
      "events",
      20_000,
    )
  ).length;
  progress.stop();
  return report;
}
