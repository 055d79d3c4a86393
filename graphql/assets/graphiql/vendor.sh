#!/usr/bin/env bash
# Refreshes the GraphiQL page's assets from the npm registry: GraphiQL 3 (its last version with
# a browser bundle), React 18 and graphql-ws, each with its licence. The bundles are stored
# gzipped (served with Content-Encoding: gzip); the server never fetches anything at run time.
# Run from this folder: ./vendor.sh
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent graphiql@3.8.3 react@18.3.1 react-dom@18.3.1 graphql-ws@5.16.0 >/dev/null)
for package in graphiql-3.8.3 react-18.3.1 react-dom-18.3.1 graphql-ws-5.16.0; do
  mkdir -p "$work/$package" && tar xzf "$work/$package.tgz" -C "$work/$package"
done
gzip -9nc "$work/graphiql-3.8.3/package/graphiql.min.js" > graphiql.min.js.gz
gzip -9nc "$work/graphiql-3.8.3/package/graphiql.min.css" > graphiql.min.css.gz
gzip -9nc "$work/react-18.3.1/package/umd/react.production.min.js" > react.production.min.js.gz
gzip -9nc "$work/react-dom-18.3.1/package/umd/react-dom.production.min.js" > react-dom.production.min.js.gz
gzip -9nc "$work/graphql-ws-5.16.0/package/umd/graphql-ws.min.js" > graphql-ws.min.js.gz
cp "$work/graphiql-3.8.3/package/LICENSE" LICENSE.graphiql
cp "$work/react-18.3.1/package/LICENSE" LICENSE.react
cp "$work/react-dom-18.3.1/package/LICENSE" LICENSE.react-dom
cp "$work/graphql-ws-5.16.0/package/LICENSE.md" LICENSE.graphql-ws
