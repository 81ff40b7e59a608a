#!/usr/bin/env bash
# Runs README's newcomer commands exactly as written (the block between <!-- newcomer:start --> and
# <!-- newcomer:end -->, after `cp .env.example .env`), the long-running ones in the background as the README's
# "terminal 1/2" say, and checks that the rep's inbox shows the bot's answers. CI runs it on its fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every relative link in README and docs resolves (a file, and a heading for a #fragment).
npx --no-install tsx tools/check-links.ts
first='npm ci && cp .env.example .env'
grep -qF "$first" README.md || { echo "newcomer: README no longer starts with「$first」: update this script"; exit 1; }
echo "newcomer \$ $first"
eval "$first"
block=$(sed -n '/<!-- newcomer:start -->/,/<!-- newcomer:end -->/p' README.md | sed -n '/^```bash$/,/^```$/p' | sed '1d;$d')
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_http() {
  for _ in $(seq 1 120); do
    node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$1" && return 0
    sleep 0.5
  done
  echo "newcomer: $1 never answered"
  return 1
}
out=$(mktemp)
while IFS= read -r line; do
  cmd="${line%%#*}"
  [ -z "${cmd// /}" ] && continue
  echo "newcomer \$ $cmd"
  case "$line" in
    *"# terminal 1"*) setsid bash -c "$cmd" >"$out.sandbox" 2>&1 & pids+=($!); wait_http http://127.0.0.1:8700/sandbox/inbox/zhangsan ;;
    *"# terminal 2"*) setsid bash -c "$cmd" >"$out.bot" 2>&1 & pids+=($!); wait_http http://127.0.0.1:3000/healthz ;;
    *"npm run sandbox -- inbox"*)
      for _ in $(seq 1 40); do
        eval "$cmd" >"$out" 2>&1 || true
        grep -q '已记录：与王总通话 20 分钟' "$out" && break
        sleep 0.5
      done
      cat "$out" ;;
    *) eval "$cmd" ;;
  esac
done <<<"$block"
for want in '已记录：王总 —「出来比价」' '已记录：与王总通话 20 分钟' '决策时间：'; do
  grep -q "$want" "$out" || { echo "newcomer: zhangsan's inbox lacks「$want」"; tail -20 "$out.bot" || true; exit 1; }
done
# The chat archive: 王总's words and the WeCom call, pulled through the stub SDK, are on the lead.
set -a && . ./.env && set +a
node -e '
const auth = { authorization: "Bearer " + process.env.ADMIN_TOKEN };
(async () => {
  for (let i = 0; i < 60; i++) {
    const lead = await (await fetch("http://127.0.0.1:3000/api/leads/woWANG0000000001", { headers: auth })).json();
    const archived = (lead.timeline || []).filter((e) => e.source === "archive");
    const words = archived.find((e) => e.kind === "customer_message" && e.note === "报价单发我一份");
    const call = archived.find((e) => e.kind === "call" && e.minutes === 12);
    if (words && call) return console.log("newcomer: the archive logged 王总\u0027s words and a 12-minute WeCom call");
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the archived message and call never reached the lead");
})().catch((e) => { console.error("newcomer: " + e.message); process.exit(1); });
'
# The board as README says to open it: sign in as 王五 through the sandbox's QR-login page, then read 王总's lead.
node -e '
const base = "http://localhost:3000";
const cookie = (res, name) => res.headers.getSetCookie().find((c) => c.startsWith(name + "="))?.split(";")[0];
(async () => {
  const login = await fetch(base + "/auth/login?next=/board/leads/woWANG0000000001", { redirect: "manual" });
  const page = await (await fetch(login.headers.get("location"))).text();
  const href = /href="([^"]*userid=wangwu[^"]*)"/.exec(page)[1].replace(/&#38;/g, "&");
  const picked = await fetch(new URL(href, login.headers.get("location")), { redirect: "manual" });
  const back = await fetch(picked.headers.get("location"), { redirect: "manual", headers: { cookie: cookie(login, "wf_login") } });
  const session = cookie(back, "wf_session");
  const html = await fetch(base + back.headers.get("location"), { headers: { cookie: session } });
  const lead = await (await fetch(base + "/api/board/leads/woWANG0000000001", { headers: { cookie: session } })).json();
  if (html.status !== 200 || lead.lead.owner !== "zhangsan") throw new Error("board: " + html.status + " " + JSON.stringify(lead).slice(0, 200));
  console.log("newcomer: the board opens for 王五 (王总: " + lead.lead.state + ")");
})().catch((e) => { console.error("newcomer: the board does not open as README says: " + e.message); process.exit(1); });
'
echo "newcomer: README's commands work as written"
