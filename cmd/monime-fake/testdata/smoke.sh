#!/usr/bin/env bash
# A language-agnostic smoke test of monime-fake: only curl, openssl and a
# webhook receiver (node if present, else a small Go program), the way an
# app in any language would use it. It builds the command, starts it on a
# free loopback port, creates, gets, lists and deletes sessions over plain
# HTTP, completes one through the admin API, receives the signed webhook,
# checks its Monime-Signature with openssl, funds the main account, makes
# a payout and completes it through the admin API, checks the balance,
# creates a USSD payment code and pays it through the admin API, checks the
# payment and the balance again, and stops the command by PID.
#
#   cmd/monime-fake/testdata/smoke.sh                   (from the repository root)
#   SMOKE_RECEIVER=go cmd/monime-fake/testdata/smoke.sh (the Go receiver even with node)
set -euo pipefail
cd "$(dirname "$0")/../../.."
for tool in curl openssl go; do
  command -v "$tool" >/dev/null || { echo "smoke: $tool is not installed (apt-get install $tool)" >&2; exit 2; }
done

work="$(mktemp -d)"
fake_pid="" receiver_pid=""
cleanup() {
  [[ -n "$fake_pid" ]] && kill "$fake_pid" 2>/dev/null || true
  [[ -n "$receiver_pid" ]] && kill "$receiver_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke: FAIL: $*" >&2; echo "--- monime-fake stderr:" >&2; cat "$work/fake.err" >&2 || true; exit 1; }

# wait_for FILE SECONDS: until FILE exists and is not empty.
wait_for() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do [[ -s "$1" ]] && return 0; sleep 0.05; done
  return 1
}

echo "smoke: building monime-fake"
go build -o "$work/monime-fake" ./cmd/monime-fake

mkdir "$work/hook"
if [[ "${SMOKE_RECEIVER:-}" != go ]] && command -v node >/dev/null; then
  echo "smoke: webhook receiver: node"
  node cmd/monime-fake/testdata/receiver.js "$work/port" "$work/hook" &
else
  echo "smoke: webhook receiver: Go (node is not installed)"
  go build -o "$work/receiver" ./cmd/monime-fake/testdata/receiver
  "$work/receiver" "$work/port" "$work/hook" &
fi
receiver_pid=$!
wait_for "$work/port" 10 || fail "the webhook receiver did not start"
hook_url="http://127.0.0.1:$(cat "$work/port")/webhooks/monime"

secret="smoke-secret-$(openssl rand -hex 16)"
"$work/monime-fake" -addr 127.0.0.1:0 -payout-delay 0 -webhook-url "$hook_url" -webhook-secret "$secret" >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
for ((i = 0; i < 200; i++)); do grep -q '^  dashboard' "$work/fake.out" 2>/dev/null && break; sleep 0.05; done
base="$(sed -n 's/^  base URL *//p' "$work/fake.out")"
token="$(sed -n 's/^  access token *//p' "$work/fake.out")"
space="$(sed -n 's/^  space id *//p' "$work/fake.out")"
[[ -n "$base" ]] || fail "monime-fake printed no base URL"
echo "smoke: monime-fake (pid $fake_pid) at $base"

curl -fsS "$base/healthz" | grep -q '"ok"' || fail "/healthz"

# api METHOD PATH [BODY]: prints the body, then the status on the last line.
api() {
  local args=(-sS -X "$1" -H "Authorization: Bearer $token" -H "Monime-Space-Id: $space" -w '\n%{http_code}')
  if [[ $# -ge 3 ]]; then
    args+=(-H "Content-Type: application/json" -H "Idempotency-Key: smoke-$RANDOM-$RANDOM" --data-binary "$3")
  fi
  curl "${args[@]}" "$base$2"
}
status_of() { tail -n1 <<<"$1"; }
id_of() { grep -o '"id": *"scs-[A-Za-z0-9]*"' <<<"$1" | head -n1 | sed 's/.*"\(scs-[A-Za-z0-9]*\)"/\1/'; }

order='{"name":"Order #1042","reference":"1042","lineItems":[{"type":"custom","name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2}]}'
out="$(api POST /v1/checkout-sessions "$order")"
[[ "$(status_of "$out")" == 200 ]] || fail "create: $out"
id="$(id_of "$out")"
[[ -n "$id" ]] || fail "create returned no id: $out"
echo "smoke: created $id"

out="$(api GET "/v1/checkout-sessions/$id")"
[[ "$(status_of "$out")" == 200 && "$out" == *'"pending"'* ]] || fail "get: $out"
out="$(api GET /v1/checkout-sessions)"
[[ "$(status_of "$out")" == 200 && "$out" == *"$id"* ]] || fail "list does not have $id: $out"

out="$(api POST /v1/checkout-sessions "$order")"
doomed="$(id_of "$out")"
out="$(api DELETE "/v1/checkout-sessions/$doomed")"
[[ "$(status_of "$out")" == 2* ]] || fail "delete: $out"
out="$(api GET "/v1/checkout-sessions/$doomed")"
[[ "$(status_of "$out")" == 404 ]] || fail "a deleted session is still there: $out"
echo "smoke: get, list and delete work"

out="$(curl -sS -X POST -H 'Content-Type: application/json' --data '{"method":"momo","provider":"m17"}' -w '\n%{http_code}' "$base/_fake/sessions/$id/complete")"
[[ "$(status_of "$out")" == 200 && "$out" == *'"completed"'* ]] || fail "admin complete: $out"
echo "smoke: completed $id through the admin API"

wait_for "$work/hook/body" 10 || fail "no webhook arrived at $hook_url"
header="$(cat "$work/hook/signature")"
t="$(sed -n 's/^t=\([0-9]*\),.*/\1/p' <<<"$header")"
v1="$(sed -n 's/.*v1=\([^,]*\).*/\1/p' <<<"$header")"
[[ -n "$t" && -n "$v1" ]] || fail "Monime-Signature is not t=<unix>,v1=<base64>: $header"
want="$({ printf '%s_' "$t"; cat "$work/hook/body"; } | openssl dgst -sha256 -hmac "$secret" -binary | openssl base64 -A)"
[[ "$v1" == "$want" ]] || fail "the webhook's signature $v1 is not HMAC-SHA256(secret, t_body) $want"
grep -q '"checkout_session.completed"' "$work/hook/body" || fail "the webhook is not checkout_session.completed"
grep -q "$id" "$work/hook/body" || fail "the webhook is not about $id"
age=$(( $(date +%s) - t ))
(( age >= -5 && age <= 300 )) || fail "the signature's timestamp is $age s old"
echo "smoke: the signed webhook verified with openssl"

# admin METHOD PATH [BODY]: the admin API; prints the body, then the status.
admin() {
  local args=(-sS -X "$1" -w '\n%{http_code}')
  [[ $# -ge 3 ]] && args+=(-H "Content-Type: application/json" --data-binary "$3")
  curl "${args[@]}" "$base$2"
}
# available: the main account's balance in minor units, as the API reads it.
available() {
  api GET "/v1/financial-accounts/fac-monimetest?withBalance=true" | grep -o '"available": *{[^}]*}' | grep -o '"value": *[0-9]*' | grep -o '[0-9]*$'
}
before="$(available)"
[[ "$before" == 30000 ]] || fail "the main account holds $before after the SLE 300.00 checkout, want 30000"
out="$(admin POST /_fake/accounts/fac-monimetest/fund '{"currency":"SLE","value":100000}')"
[[ "$(status_of "$out")" == 200 ]] || fail "admin fund: $out"
out="$(api POST /v1/payouts '{"amount":{"currency":"SLE","value":25000},"destination":{"type":"momo","providerId":"m17","phoneNumber":"+23276123456"},"metadata":{"batch":"smoke"}}')"
[[ "$(status_of "$out")" == 200 && "$out" == *'"pending"'* ]] || fail "create payout: $out"
payout="$(grep -o '"id": *"pyt-[A-Za-z0-9]*"' <<<"$out" | head -n1 | sed 's/.*"\(pyt-[A-Za-z0-9]*\)"/\1/')"
[[ -n "$payout" ]] || fail "create payout returned no id: $out"
[[ "$(available)" == 105000 ]] || fail "a pending payout of 25000 should hold it at once: the balance is $(available), want 105000"
out="$(admin POST "/_fake/payouts/$payout/complete")"
[[ "$(status_of "$out")" == 200 && "$out" == *'"completed"'* ]] || fail "admin complete payout: $out"
out="$(api GET "/v1/payouts/$payout")"
[[ "$(status_of "$out")" == 200 && "$out" == *'"completed"'* ]] || fail "the payout does not read completed: $out"
out="$(admin POST "/_fake/payouts/$payout/fail" '{"code":"unknown"}')"
[[ "$(status_of "$out")" == 409 ]] || fail "failing a completed payout should answer 409: $out"
[[ "$(available)" == 105000 ]] || fail "after the payout the balance is $(available), want 105000"
echo "smoke: funded, paid out $payout and completed it through the admin API; the balance is right"

out="$(api POST /v1/payment-codes '{"name":"Term 1 fees","mode":"one_time","amount":{"currency":"SLE","value":75000},"authorizedPhoneNumber":"+23276555000","authorizedProviders":["m17"],"duration":"30m"}')"
[[ "$(status_of "$out")" == 200 && "$out" == *'"pending"'* && "$out" == *'"ussdCode"'* ]] || fail "create payment code: $out"
code_id="$(grep -o '"id": *"pmc-[A-Za-z0-9]*"' <<<"$out" | head -n1 | sed 's/.*"\(pmc-[A-Za-z0-9]*\)"/\1/')"
[[ -n "$code_id" ]] || fail "create payment code returned no id: $out"
out="$(admin POST "/_fake/payment-codes/$code_id/pay" '{"phoneNumber":"+23276000999"}')"
[[ "$(status_of "$out")" == 400 && "$out" == *payer_refused* ]] || fail "paying from another phone than the authorized one should answer 400: $out"
out="$(admin POST "/_fake/payment-codes/$code_id/pay" '{"amount":{"currency":"SLE","value":75000},"phoneNumber":"+23276555000","provider":"m17"}')"
[[ "$(status_of "$out")" == 200 && "$out" == *'"completed"'* ]] || fail "admin pay payment code: $out"
out="$(api GET /v1/payments)"
[[ "$(status_of "$out")" == 200 && "$out" == *"$code_id"* ]] || fail "no payment of $code_id: $out"
[[ "$(available)" == 180000 ]] || fail "after the payment code the balance is $(available), want 180000 (105000 + 75000)"
out="$(admin POST "/_fake/payment-codes/$code_id/pay")"
[[ "$(status_of "$out")" == 409 ]] || fail "paying a completed one-time code again should answer 409: $out"
echo "smoke: created payment code $code_id, paid it through the admin API; the payment is listed and the balance rose"

kill -TERM "$fake_pid"
code=0
wait "$fake_pid" || code=$?
fake_pid=""
[[ "$code" == 0 ]] || fail "monime-fake exited with status $code after SIGTERM"
grep -q 'msg=request method=POST path=/v1/checkout-sessions status=200' "$work/fake.err" || fail "no request log line"
echo "smoke: PASS"
