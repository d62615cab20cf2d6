import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto max-w-md space-y-3 py-16 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="text-slate-600">There is nothing here, or it is not yours to see.</p>
      <Link href="/" className="inline-flex min-h-11 items-center text-indigo-700 hover:underline">Back to your library</Link>
    </div>
  );
}
