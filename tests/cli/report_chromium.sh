#!/bin/sh
# report_chromium.sh: open a self-contained report.html in headless Chromium.
# Fails on any console message (the report has no scripts, so any message is a
# script error or a Content-Security-Policy violation such as an attempt to
# load something from the network), on images that do not decode, on
# <script> elements, and when the hostile location name is not shown as text.
# A negative control (a broken page) must fail the same checks.
# Needs the Debian package `chromium`. Two reports are checked: the sample of
# the test_html helper (build/tests/test_html --sample DIR) and the report.html
# of `$RTM_BIN run` on a small job whose title and area names are hostile.
# Set RTM_REPORT_HTML=path to check one more report (e.g. a demo run).
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

# check_page FILE NAME [HOSTILE]: 0 when every check passes, else 1 (messages
# on stdout); HOSTILE=0 skips the check that the hostile name shows as text
check_page() {
  f=$1; name=$2; hostile=${3:-1}; rc=0; abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
  # 1. the page as shipped: console, DOM, screenshot
  chrome --dump-dom "file://$abs" > "$tmp/$name.dom" 2> "$tmp/$name.log"
  if grep -q 'CONSOLE' "$tmp/$name.log"; then
    echo "  $name: console messages:"; grep 'CONSOLE' "$tmp/$name.log" | sed 's/^/    /' | head -5; rc=1
  fi
  if grep -qi '<script' "$tmp/$name.dom"; then echo "  $name: a <script> element is in the DOM"; rc=1; fi
  if [ "$hostile" = 1 ] && ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/$name.dom"; then
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

# 1. the builder's sample report
mkdir -p "$tmp/report"
if build/tests/test_html --sample "$tmp/report"; then
  if check_page "$tmp/report/report.html" report; then ok "sample report opens cleanly"
  else bad "sample report opens cleanly"; fi
else
  bad "sample report (cannot run build/tests/test_html --sample)"
fi

# 2. the report of a real run (hostile title and area name "East <b>")
data=$(cd "${RTM_TEST_DATA:-tests/data}" && pwd)/jobs/data
cat > "$tmp/job.yaml" <<YAML
name: chromium-check
title: Report check <script>alert(1)</script>
study_area:
  file: $data/area.geojson
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $data/crimes-*.csv
      x_field: Longitude
      y_field: Latitude
      crs: EPSG:4326
      type_field: Crime type
surfaces:
  - type: kde
    radius: 800
areas:
  - name: districts
    file: $data/districts.geojson
    name_field: district
output:
  dir: $tmp/run
YAML
if [ -x "${RTM_BIN:-build/rtm}" ] && "${RTM_BIN:-build/rtm}" run -q "$tmp/job.yaml" > "$tmp/run.log" 2>&1; then
  if check_page "$tmp/run/current/report.html" run && grep -q 'East &lt;b&gt;' "$tmp/run.dom" &&
     ! grep -q '<b>' "$tmp/run.dom"; then ok "rtm run report opens cleanly"
  else bad "rtm run report opens cleanly"; fi
else
  bad "rtm run report (rtm run failed)"; sed 's/^/    /' "$tmp/run.log" | tail -5
fi

# 3. a report given by the caller
if [ -n "$RTM_REPORT_HTML" ]; then
  if check_page "$RTM_REPORT_HTML" given 0; then ok "$RTM_REPORT_HTML opens cleanly"
  else bad "$RTM_REPORT_HTML opens cleanly"; fi
fi
[ -n "$RTM_SCREENSHOT_OUT" ] && cp "$tmp/run.png" "$RTM_SCREENSHOT_OUT"

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
