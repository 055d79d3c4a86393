// Completion handler of `graphql-inspector diff` (its --onComplete): a breaking change of the
// GraphQL contract fails unless CHANGELOG.md lists it, its schema path in backticks (for
// example `ApproveMinutesInput.version`). CHANGELOG names another file to check against.
const fs = require("fs");
const path = require("path");

module.exports = function changelogGate({ breakingChanges }) {
  const file = process.env.CHANGELOG || path.join(__dirname, "..", "..", "CHANGELOG.md");
  const changelog = fs.readFileSync(file, "utf8");
  const unlisted = breakingChanges.filter(
    (change) => !changelog.includes("`" + change.path + "`"),
  );
  if (unlisted.length > 0) {
    console.error(
      `${unlisted.length} breaking change(s) of the GraphQL contract that ${path.basename(file)} does not list:`,
    );
    for (const change of unlisted) {
      console.error(`  \`${change.path}\`: ${change.message}`);
    }
    process.exit(1);
  }
  console.log(
    `${breakingChanges.length} breaking change(s) against the released contract, each listed in ${path.basename(file)}`,
  );
};
