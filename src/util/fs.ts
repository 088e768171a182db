import { access, chmod, mkdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/** Writes via a temporary file and a rename, so a crash never leaves a half-written file; keeps the file's mode. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  if (mode !== undefined) await chmod(temporary, mode);
  await rename(temporary, file);
}

export async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
