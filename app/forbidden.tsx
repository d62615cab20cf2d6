import Link from "next/link";

// Shown (with status 403) when a signed-in person opens a page that is not for them.
export default function Forbidden() {
  return (
    <div className="mx-auto max-w-md space-y-3 py-16 text-center">
      <h1 className="text-2xl font-semibold">Admins only</h1>
      <p className="text-slate-600">This page is for the people who run this Framecast instance.</p>
      <Link href="/" className="inline-flex min-h-11 items-center text-indigo-700 hover:underline">Back to your library</Link>
    </div>
  );
}
