import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { pageUser } from "@/lib/auth/page";

export const metadata = { title: "Create account · Framecast" };

export default async function SignUpPage() {
  if (await pageUser()) redirect("/");
  return <AuthForm mode="signup" />;
}
