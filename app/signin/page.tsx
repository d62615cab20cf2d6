import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { safeNextPath } from "@/lib/auth/admin";
import { pageUser } from "@/lib/auth/page";

export const metadata = { title: "Sign in · Framecast" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; deleted?: string }> }) {
  const params = await searchParams;
  const raw = params.next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await pageUser()) redirect(next);
  return (
    <>
      {params.deleted === "1" && (
        <p role="status" className="mx-auto mb-6 max-w-md rounded-lg border border-green-200 bg-green-50 p-4 text-sm text-green-900">
          Your account is being deleted. You have been signed out everywhere, and everything in it will be gone within minutes.
        </p>
      )}
      <AuthForm mode="signin" next={next} />
    </>
  );
}
