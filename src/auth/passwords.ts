import { hash, verify } from '@node-rs/argon2';

// Argon2id with OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/**
 * Spends the same time as a real check, so a sign-in for an unknown user
 * takes as long as one with a wrong password and reveals nothing.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('plaza-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}
