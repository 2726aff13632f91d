/**
 * Slow, salted password hashes (scrypt from node:crypto, no native dependency)
 * and fast token hashes. The hash string carries its own parameters, so the
 * cost can be raised later without invalidating stored hashes.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

function scryptAsync(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `cost` is scrypt's N (a power of two); 16384 by default, tests use less. */
export function scryptHasher(cost = 16384): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await scryptAsync(password, salt, cost);
      return `scrypt$${cost}$${salt.toString("base64url")}$${key.toString("base64url")}`;
    },
    async verify(password, stored) {
      const [scheme, costText, saltText, keyText] = stored.split("$");
      if (scheme !== "scrypt" || !costText || !saltText || !keyText) return false;
      const expected = Buffer.from(keyText, "base64url");
      const actual = await scryptAsync(password, Buffer.from(saltText, "base64url"), Number(costText));
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}
