// Completion handler of `graphql-inspector diff` (its --onComplete): a breaking change of the
// GraphQL contract fails unless CHANGELOG.md lists it, its schema path in backticks (for
// example `ApproveMinutesInput.version`). A path with `*` stands for every path it matches,
// `*` matching any part of a name (`*Entry.aggregateId`: that field of every history entry
// type), for a change made alike to many types. CHANGELOG names another file to check against.
const fs = require("fs");
const path = require("path");

module.exports = function changelogGate({ breakingChanges }) {
  const file = process.env.CHANGELOG || path.join(__dirname, "..", "..", "CHANGELOG.md");
  const changelog = fs.readFileSync(file, "utf8");
  const patterns = [...changelog.matchAll(/`([A-Za-z0-9_.*]*\*[A-Za-z0-9_.*]*)`/g)].map(
    ([, glob]) => new RegExp("^" + glob.replace(/\./g, "\\.").replace(/\*/g, "[A-Za-z0-9_]*") + "$"),
  );
  const listed = (p) => changelog.includes("`" + p + "`") || patterns.some((re) => re.test(p));
  const unlisted = breakingChanges.filter((change) => !listed(change.path));
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
