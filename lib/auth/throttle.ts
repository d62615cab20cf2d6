// Sign-in and sign-up throttling, in Redis so every web process counts together.
// Sign-in is limited per client address (all attempts) and per account (attempts since
// the last success: counted before the password is checked, so a burst of parallel
// guesses cannot slip past the limit, and reset when the right password arrives). A
// locked account refuses even the right password until its window ends; that lets an
// attacker lock someone out for up to one window, the price of stopping guessing.
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { HttpError } from "@/lib/http/errors";
import { log } from "@/lib/log";
import { clientAddress } from "@/lib/security/client-ip";
import { enforce, rateLimiter, tooManyRequests } from "@/lib/security/rate-limit";
import { signIn, signUp, type Credentials } from "./accounts";

export async function throttledSignIn(db: Db, request: Request, input: Credentials) {
  const config = env();
  await enforce("signin-ip", clientAddress(request, config.TRUST_PROXY), config.RATE_LIMIT_SIGNIN_IP, "Too many sign-in attempts from your network.");
  const rule = config.RATE_LIMIT_SIGNIN_ACCOUNT;
  const attempts = await rateLimiter().hit("signin-account", input.email, rule);
  if (attempts.count > rule.limit) {
    if (attempts.count === rule.limit + 1) log().warn({ limit: rule.limit }, "security: an account's sign-in is locked after repeated failures");
    throw tooManyRequests("Too many failed sign-ins for this account, so it is locked for a while.", attempts.retryAfterMs);
  }
  const user = await signIn(db, input);
  if (!user) throw new HttpError(401, "That email and password do not match an account.", "bad_credentials");
  await rateLimiter().reset("signin-account", input.email);
  return user;
}

export async function throttledSignUp(db: Db, request: Request, input: Credentials) {
  const config = env();
  await enforce("signup-ip", clientAddress(request, config.TRUST_PROXY), config.RATE_LIMIT_SIGNUP_IP, "Too many new accounts from your network.");
  return signUp(db, input);
}
