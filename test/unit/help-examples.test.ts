// Every example in the tasks' --help can be pasted as is: no "…" or "0x…" placeholders, and every hex value a full
// address (40 digits), selector (8) or hash (64).
import { expect } from "chai";
import hre from "hardhat";

describe("--help examples", () => {
  it("are pasteable: full addresses, selectors and hashes, no placeholders", () => {
    const tasks = [...hre.tasks.rootTasks.values()].filter((t) => t.pluginId === "hardhat-cutover");
    expect(tasks.length).to.be.greaterThan(10);
    let examples = 0;
    for (const task of tasks) {
      for (const [name, option] of task.options) {
        const example = /Example: (.*)$/.exec(option.description)?.[1];
        if (!example) continue;
        examples += 1;
        const where = `${task.id.join(" ")} --${name}: ${example}`;
        expect(example, where).to.not.match(/…|\.\.\./);
        for (const hex of example.match(/0x[0-9a-fA-F]*/g) ?? [])
          expect([10, 42, 66], `${where} (${hex})`).to.include(hex.length);
      }
    }
    expect(examples).to.be.greaterThan(40);
  });
});
