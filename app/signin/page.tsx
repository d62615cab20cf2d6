import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { pageUser } from "@/lib/auth/page";

export const metadata = { title: "Sign in · Framecast" };

export default async function SignInPage() {
  if (await pageUser()) redirect("/");
  return <AuthForm mode="signin" />;
}
