#!/bin/sh
# report_chromium.sh: open a self-contained report.html in headless Chromium.
# Fails on any console message (the report has no scripts, so any message is a
# script error or a Content-Security-Policy violation such as an attempt to
# load something from the network), on images that do not decode, on
# <script> elements, and when the hostile location name is not shown as text.
# A negative control (a broken page) must fail the same checks.
# Needs the Debian package `chromium`. The report comes from the test_html
# helper (build/tests/test_html --sample DIR); set RTM_REPORT_HTML=path to
# check another report (e.g. one written by `rtm run`).
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
  echo "report_chromium: chromium not installed (Debian package 'chromium')"
  echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# chrome URL-OUT-ERR: run headless Chromium on a file with its own profile
chrome() {
  prof=$(mktemp -d "$tmp/profile.XXXXXX")
  timeout 45 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$prof" --enable-logging=stderr --v=0 \
    --virtual-time-budget=5000 --window-size=1200,1600 "$@"
}

CHECK_CSP="<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'nonce-rtmcheck'; img-src data:; style-src 'unsafe-inline'\">"
CHECK_JS='<script nonce="rtmcheck">window.addEventListener("load", function () {
  var n = 0, b = 0;
  for (const i of document.images) { n++; if (!i.complete || i.naturalWidth === 0) b++; }
  var p = document.createElement("pre");
  p.textContent = "RTM-CHECK images=" + n + " broken=" + b;
  document.body.appendChild(p);
});</script>'

# check_page FILE NAME: 0 when every check passes, else 1 (messages on stdout)
check_page() {
  f=$1; name=$2; rc=0; abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
  # 1. the page as shipped: console, DOM, screenshot
  chrome --dump-dom "file://$abs" > "$tmp/$name.dom" 2> "$tmp/$name.log"
  if grep -q 'CONSOLE' "$tmp/$name.log"; then
    echo "  $name: console messages:"; grep 'CONSOLE' "$tmp/$name.log" | sed 's/^/    /' | head -5; rc=1
  fi
  if grep -qi '<script' "$tmp/$name.dom"; then echo "  $name: a <script> element is in the DOM"; rc=1; fi
  if ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/$name.dom"; then
    echo "  $name: the hostile name is not shown as text"; rc=1
  fi
  (cd "$tmp" && chrome --screenshot="$tmp/$name.png" "file://$abs" > /dev/null 2>&1)
  sz=$(wc -c < "$tmp/$name.png" 2>/dev/null || echo 0)
  if [ "$sz" -lt 5000 ]; then echo "  $name: no usable screenshot ($sz bytes)"; rc=1; fi
  # 2. a copy whose CSP also admits one checker script (by nonce; any other
  #    script stays blocked) that records whether every image decoded
  chk="$(dirname "$abs")/.rtm-check-$name.html"
  grep -v 'Content-Security-Policy' "$f" | awk -v csp="$CHECK_CSP" -v js="$CHECK_JS" '
    { i = index($0, "<head>"); if (i) $0 = substr($0, 1, i + 5) csp substr($0, i + 6)
      i = index($0, "</body>"); if (i) $0 = substr($0, 1, i - 1) js substr($0, i)
      print }' > "$chk"
  chrome --dump-dom "file://$chk" > "$tmp/$name.chk" 2> /dev/null
  rm -f "$chk"
  res=$(grep -o 'RTM-CHECK images=[0-9]* broken=[0-9]*' "$tmp/$name.chk")
  case "$res" in
    "RTM-CHECK images=0 "*) echo "  $name: no images ($res)"; rc=1 ;;
    *" broken=0") ;;
    *) echo "  $name: images missing or broken (${res:-no result})"; rc=1 ;;
  esac
  return $rc
}

# the report under test
if [ -n "$RTM_REPORT_HTML" ]; then
  report=$RTM_REPORT_HTML
else
  mkdir -p "$tmp/report"
  if ! build/tests/test_html --sample "$tmp/report"; then
    echo "report_chromium: cannot make the sample report (build/tests/test_html)"
    echo "0 passed, 1 failed"; exit 1
  fi
  report=$tmp/report/report.html
fi
if check_page "$report" report; then ok "report opens cleanly, images decode, text escaped"
else bad "report opens cleanly, images decode, text escaped"; fi
cp "$tmp/report.png" "$tmp/report-screenshot.png" 2>/dev/null
[ -n "$RTM_SCREENSHOT_OUT" ] && cp "$tmp/report.png" "$RTM_SCREENSHOT_OUT"

# negative control: an unescaped script, a missing and a corrupt image
mkdir -p "$tmp/neg"
cat > "$tmp/neg/report.html" <<'HTML'
<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
</head><body><p>On or near <script>alert(1)</script></p>
<img src="missing.png" alt="m"><img src="data:image/png;base64,AAAA" alt="c"></body></html>
HTML
if check_page "$tmp/neg/report.html" neg > "$tmp/neg.out"; then
  bad "negative control is detected"; cat "$tmp/neg.out"
else
  n=$(grep -c '^  neg:' "$tmp/neg.out")
  if [ "$n" -ge 4 ]; then ok "negative control is detected ($n problems)"
  else bad "negative control is detected (only $n problems)"; cat "$tmp/neg.out"; fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
