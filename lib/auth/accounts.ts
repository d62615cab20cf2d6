// Sign-up and sign-in. Only this module touches the User model.
import { z } from "zod";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { ConflictError } from "@/lib/errors";
import { hashPassword, verifyPassword } from "./password";

export const credentialsSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: "Enter a valid email address." })),
  password: z
    .string()
    .min(8, { message: "Use at least 8 characters." })
    .max(200, { message: "Use at most 200 characters." }),
});

export type Credentials = z.infer<typeof credentialsSchema>;

export async function signUp(db: Db, input: Credentials) {
  const passwordHash = await hashPassword(input.password);
  const adminEmail = env().ADMIN_EMAIL?.toLowerCase();
  // The first account administers the instance unless ADMIN_EMAIL names someone.
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email } });
    if (existing) {
      throw new ConflictError("email_taken", "An account with this email already exists. Sign in instead.", {
        fields: { email: "An account with this email already exists." },
      });
    }
    const isAdmin = adminEmail ? adminEmail === input.email : (await tx.user.count()) === 0;
    return tx.user.create({ data: { email: input.email, passwordHash, isAdmin } });
  });
}

// Spent on unknown emails too, so response time does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;

/** The account these credentials open, or null (an unknown email and a wrong password look alike). */
export async function signIn(db: Db, input: Credentials) {
  const user = await db.user.findUnique({ where: { email: input.email } });
  dummyHash ??= hashPassword("not-a-real-password");
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash));
  // Said only to someone who knows the password: the account is going, not mistyped.
  if (user && ok && user.deletingAt) throw new ConflictError("account_deleting", "This account is being deleted at its owner's request, so it can no longer sign in.");
  return user && ok ? user : null;
}
