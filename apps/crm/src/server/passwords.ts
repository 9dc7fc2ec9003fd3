import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt cost parameters (N, r, p) and key length; stored with each hash so they can be raised later. */
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, keylen, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/**
 * Hashes a password with scrypt and a random per-user salt, as `scrypt$N$r$p$salt$hash` (base64).
 *
 * @example
 * const stored = await hashPassword("s3cret");   // "scrypt$16384$8$1$...$..."
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P, KEYLEN);
  return ["scrypt", N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

/** A hash of a random password: verified against when the login is unknown, so both paths cost one scrypt. */
const decoy = hashPassword(randomBytes(12).toString("base64"));

/**
 * Whether `password` matches `stored` (constant-time compare). A missing or malformed hash runs
 * the same scrypt against a decoy and answers false, so timing does not tell unknown users apart.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (typeof stored === "string" ? stored : "").split("$");
  const valid = parts.length === 6 && parts[0] === "scrypt";
  const [, n, r, p, salt, hash] = valid ? parts : (await decoy).split("$");
  const expected = Buffer.from(hash as string, "base64");
  const key = await derive(
    password,
    Buffer.from(salt as string, "base64"),
    Number(n),
    Number(r),
    Number(p),
    expected.length,
  );
  return timingSafeEqual(key, expected) && valid;
}
