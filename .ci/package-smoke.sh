#!/usr/bin/env bash
# Build the wheel and the sdist, install the wheel (only) into a fresh virtualenv outside the
# checkout, and run `mlmock serve` + `mlmock check` from it: the specs and the dashboard must be
# inside the wheel, and nothing may come from the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
work=$(mktemp -d)
# Never `kill 0`: with no server left, that would signal the whole process group (.ci/run itself).
trap 'if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

"$python" -m pip install --disable-pip-version-check -q build
"$python" -m build --outdir "$work/dist" . >/dev/null
ls "$work"/dist/mlmock-*.whl "$work"/dist/mlmock-*.tar.gz
"$python" -m zipfile -l "$work"/dist/mlmock-*.whl >"$work/contents"
for f in mlmock/spec/wml.yaml mlmock/spec/openmetadata.yaml mlmock/mockserver/devtools/dashboard/index.html mlmock/py.typed \
         'dist-info/licenses/LICENSE'; do
    grep -F "$f" "$work/contents" >/dev/null || { echo "the wheel lacks $f" >&2; exit 1; }
done

"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --disable-pip-version-check -q "$work"/dist/mlmock-*.whl
cd "$work"  # away from the checkout: only the installed wheel can be imported
mlmock="$work/venv/bin/mlmock"
"$mlmock" --version

port=$("$work/venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mlmock" serve --port "$port" --state-file "$work/state.db" --log-format json 2>"$work/serve.log" &
server=$!
for _ in $(seq 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/_mlmock/" 2>/dev/null && break
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/_mlmock/" >"$work/dashboard.html"
grep -i '<html' "$work/dashboard.html" >/dev/null                                   # the dashboard
curl -fsS "http://127.0.0.1:$port/api/v1/ui/" >"$work/ui.html"
grep -i 'swagger' "$work/ui.html" >/dev/null                                        # the Swagger UI
"$mlmock" check --api openmetadata --base-url "http://127.0.0.1:$port" --max-examples 2
"$mlmock" check --api wml --base-url "http://127.0.0.1:$port" --max-examples 2 \
    --space-id 3fc54cf1-252f-424b-b52d-5cdd9814987f --other-space-id 6c3f1a77-2e0b-4d3c-9f4e-8a1b2c3d4e5f
kill -TERM "$server"
wait "$server"
server=
test ! -e "$work/state.db-wal"  # a clean stop leaves the .db alone
echo "package smoke test: OK"
