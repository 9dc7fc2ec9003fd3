import { Faker, base, en } from "@faker-js/faker";

/** How much demo data to create. */
export type SeedSize = "small" | "large";

/** Row counts of each size: `large` is the issue's ~2,000 partners, ~10,000 leads, ~50,000 messages. */
export const seedSizes: Record<
  SeedSize,
  { partners: number; leads: number; messages: number; salespeople: number; products: number; tasks: number }
> = {
  small: { partners: 120, leads: 400, messages: 800, salespeople: 3, products: 12, tasks: 40 },
  large: { partners: 2000, leads: 10_000, messages: 50_000, salespeople: 16, products: 40, tasks: 400 },
};

/** The demo logins printed at start; each password is the login. */
export const demoUsers = [
  { login: "admin", name: "Ada Admin", role: "admin", isAdmin: true },
  { login: "manager", name: "Max Manager", role: "sales_manager", isAdmin: false },
  { login: "sales", name: "Sam Sales", role: "salesperson", isAdmin: false },
  { login: "sales2", name: "Sasha Sales", role: "salesperson", isAdmin: false },
  { login: "viewer", name: "Vic Viewer", role: "viewer", isAdmin: false },
] as const;

/** The pipeline's stages, in order; the last two close a lead. */
export const stagePlan = [
  { name: "New", sequence: 1, probability: 10, is_won: false, is_lost: false },
  { name: "Qualified", sequence: 2, probability: 30, is_won: false, is_lost: false },
  { name: "Proposition", sequence: 3, probability: 60, is_won: false, is_lost: false },
  { name: "Negotiation", sequence: 4, probability: 80, is_won: false, is_lost: false },
  { name: "Won", sequence: 5, probability: 100, is_won: true, is_lost: false },
  { name: "Lost", sequence: 6, probability: 0, is_won: false, is_lost: true },
] as const;

/** A fixed-seed generator: the same seed and size give the same data, run after run. */
export function seededFaker(seed = 20_261_130): Faker {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  return faker;
}

const day = 86_400_000;

/** A lead's path through the pipeline: the stage indexes it entered, with the time of each. */
export function stageHistory(faker: Faker, createdAt: Date, now: Date): { stage: number; at: Date }[] {
  const roll = faker.number.float({ min: 0, max: 1 });
  // where the lead ended: most still open, about a fifth won, a sixth lost
  const last = roll < 0.2 ? 4 : roll < 0.36 ? 5 : faker.number.int({ min: 0, max: 3 });
  const reached = last === 5 ? faker.number.int({ min: 0, max: 3 }) : Math.min(last, 3);
  const path = [...Array(reached + 1).keys()];
  if (last >= 4) path.push(last);
  const span = Math.max(1, now.getTime() - createdAt.getTime());
  let t = createdAt.getTime();
  return path.map((stage, i) => {
    if (i > 0)
      t = Math.min(
        now.getTime() - 60_000,
        t + faker.number.int({ min: 60_000, max: Math.max(120_000, Math.floor(span / (path.length + 1))) }),
      );
    return { stage, at: new Date(t) };
  });
}

/** A date `daysAgo` before `now`, at a working hour (UTC), for spreading data over a year. */
export function workingTime(faker: Faker, now: Date, maxDaysAgo: number): Date {
  const d = new Date(now.getTime() - faker.number.int({ min: 0, max: maxDaysAgo }) * day);
  d.setUTCHours(
    faker.number.int({ min: 8, max: 18 }),
    faker.number.int({ min: 0, max: 59 }),
    faker.number.int({ min: 0, max: 59 }),
    0,
  );
  return d.getTime() > now.getTime() ? new Date(now.getTime() - faker.number.int({ min: 1, max: 3_600_000 })) : d;
}
