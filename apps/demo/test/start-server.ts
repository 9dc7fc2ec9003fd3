import { type ChildProcess, spawn } from "node:child_process";

/** Starts `node --import tsx <file>` and resolves with the first `http://127.0.0.1:<port>` it prints. */
export async function startServer(
  file: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", file], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 90 s; output:\n${output}`)), 90_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing a URL; output:\n${output}`)));
  });
  return { child, base, output: () => output };
}
