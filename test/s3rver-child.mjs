// An S3-compatible server (s3rver) as a process of its own, so a fault test can kill it
// (SIGKILL), freeze it (SIGSTOP) and start it again on the same port and directory, like a
// real storage outage. Started by test/s3rver.ts; configured by environment:
//   S3RVER_PORT, S3RVER_DIR, S3RVER_BUCKET   where it listens, keeps objects, which bucket
//   S3RVER_CRASH_ON_PUT   a regular expression: the first stored object whose key matches
//                         kills this process (SIGKILL) after the object is written and
//                         before the answer is sent ("killed as the object was written").
import S3rver from "s3rver";

const port = Number(process.env.S3RVER_PORT);
const crashOnPut = process.env.S3RVER_CRASH_ON_PUT ? new RegExp(process.env.S3RVER_CRASH_ON_PUT) : null;

const server = new S3rver({
  address: "127.0.0.1",
  port,
  directory: process.env.S3RVER_DIR,
  silent: true,
  configureBuckets: [{ name: process.env.S3RVER_BUCKET }],
});

if (crashOnPut) {
  // s3rver emits this synchronously once the object is on disk, before it answers.
  server.on("event", (event) => {
    const record = event?.Records?.[0];
    const key = record?.s3?.object?.key ?? "";
    if (record?.eventName?.startsWith("ObjectCreated") && crashOnPut.test(key)) {
      console.log(`s3rver: stored ${key}; dying before the answer`);
      process.kill(process.pid, "SIGKILL");
    }
  });
}

const address = await server.run();
console.log(`s3rver listening on ${address.port}`);
