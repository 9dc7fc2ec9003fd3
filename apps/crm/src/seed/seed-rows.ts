import type { AnyModel } from "@dotorm/core";
import type { Faker } from "@faker-js/faker";
import type { Progress } from "./progress.js";

/** Rows per `createMany` call while seeding. */
const batch = 1000;

/** Creates `rows` of `model` in batches of `size`, reporting progress under `step`; returns the new ids in order. */
export async function createAll(
  model: AnyModel,
  rows: object[],
  progress: Progress,
  step: string,
  size = batch,
): Promise<number[]> {
  progress.start(step, rows.length);
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const part = rows.slice(i, i + size);
    ids.push(
      ...((await (model as unknown as { createMany(r: object[]): Promise<number[]> }).createMany(part)) as number[]),
    );
    progress.advance(part.length);
  }
  return ids;
}

/** A random amount of money as a decimal string with two places. */
export const money = (faker: Faker, min: number, max: number) =>
  faker.number.float({ min, max, fractionDigits: 2 }).toFixed(2);
