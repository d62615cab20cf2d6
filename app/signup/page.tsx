import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { safeNextPath } from "@/lib/auth/admin";
import { pageUser } from "@/lib/auth/page";

export const metadata = { title: "Create account · Framecast" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const raw = (await searchParams).next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await pageUser()) redirect(next);
  return <AuthForm mode="signup" next={next} />;
}
