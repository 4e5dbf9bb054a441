#!/usr/bin/env bash
# test_report_chromium.sh INITLAB BUILD_DIR: the lesson's HTML report as a browser shows it.
# Runs the Initialization lesson (a short run) with --report, opens the report in headless Chromium, and
# checks that
#   - a screenshot of the page is a real PNG of the window's size and not blank;
#   - every <img> on the page loaded and decoded (complete, naturalWidth > 0) and drew something (its
#     pixels, read back through a canvas, are not all white);
#   - the same checks do catch a broken figure and a blank one (a control page).
# Run from the source root. Skips (exit 0) when /usr/bin/chromium is absent, unless
# INITLAB_REQUIRE_CHROMIUM is set. INITLAB_CHROMIUM names another browser binary.
set -euo pipefail

initlab=${1:?usage: test_report_chromium.sh INITLAB BUILD_DIR}
build=${2:?usage: test_report_chromium.sh INITLAB BUILD_DIR}
chromium=${INITLAB_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  if [ -n "${INITLAB_REQUIRE_CHROMIUM:-}" ]; then
    echo "FAIL: $chromium is missing and INITLAB_REQUIRE_CHROMIUM is set (apt-get install chromium)" >&2
    exit 1
  fi
  echo "skip: $chromium is not installed"
  exit 0
fi

# The report stays in the build directory to look at after the test; the browser profile is thrown away.
out="$build/report-chromium-test"
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$initlab" lua/lessons/initialization.lua --iterations 2001 --report "$out/report" >"$out/lesson.log" 2>&1 ||
  fail "the lesson failed (see $out/lesson.log)"
grep -q "Report written to $out/report/index.html" "$out/lesson.log" || fail "the lesson did not say where its report is"
for f in index.html dataset.svg costs.svg boundary_zeros.svg boundary_random.svg boundary_he.svg; do
  [ -s "$out/report/$f" ] || fail "report file $f is missing"
done

# One headless Chromium run; the page is the last argument. Its own chatter goes to a log.
browse() {
  timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$profile" "$@" 2>>"$out/chromium.log"
}

# ---- 1. the screenshot -------------------------------------------------------------------------------
width=1000
height=2600
browse --screenshot="$out/screenshot.png" --window-size=$width,$height "file://$out/report/index.html" \
  >>"$out/chromium.log" || fail "chromium could not take a screenshot (see $out/chromium.log)"
[ -f "$out/screenshot.png" ] || fail "no screenshot was written"
size=$(stat -c %s "$out/screenshot.png")
[ "$size" -gt 40000 ] || fail "the screenshot is only $size bytes: the page looks empty"
# A PNG: its signature, then the IHDR chunk with the width and height as big-endian 32-bit numbers.
signature=$(head -c 8 "$out/screenshot.png" | od -An -tx1 | tr -d ' \n')
[ "$signature" = "89504e470d0a1a0a" ] || fail "the screenshot is not a PNG (signature $signature)"
png_width=$((16#$(od -An -tx1 -j16 -N4 "$out/screenshot.png" | tr -d ' \n')))
png_height=$((16#$(od -An -tx1 -j20 -N4 "$out/screenshot.png" | tr -d ' \n')))
[ "$png_width" -eq "$width" ] && [ "$png_height" -eq "$height" ] ||
  fail "the screenshot is ${png_width}x${png_height}, expected ${width}x${height}"
echo "screenshot: $out/screenshot.png ($size bytes, ${png_width}x${png_height})"

# ---- 2. every figure loaded and drew something --------------------------------------------------------
# A copy of the page with a script that, once everything loaded, reports on each image in the DOM;
# --dump-dom prints the DOM after the virtual time budget. The report itself has no script.
probe='<script>
window.addEventListener("load", function () {
  var lines = [];
  Array.prototype.forEach.call(document.images, function (img) {
    var ok = img.complete && img.naturalWidth > 0 && img.naturalHeight > 0;
    var ink = -1;
    if (ok) {
      try {
        var c = document.createElement("canvas");
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        var g = c.getContext("2d");
        g.drawImage(img, 0, 0);
        var d = g.getImageData(0, 0, c.width, c.height).data, n = 0;
        for (var i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
        ink = n / (d.length / 4);
      } catch (e) { ink = -2; }
    }
    lines.push("IMG " + img.getAttribute("src") + " " + (ok ? "ok" : "BROKEN") + " " +
               img.naturalWidth + "x" + img.naturalHeight + " ink=" + ink.toFixed(4));
  });
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = "PROBE " + document.images.length + "\n" + lines.join("\n") + "\nEND";
  document.body.appendChild(pre);
});
</script>'
inject() { # inject PAGE COPY: the page with the probe before </body> (ENVIRON keeps its backslashes)
  PROBE="$probe" awk '/<\/body>/ { print ENVIRON["PROBE"] } { print }' "$1" >"$2"
}

probe_page() { # probe_page FILE: prints the probe's lines
  browse --allow-file-access-from-files --virtual-time-budget=10000 --dump-dom "file://$1" |
    sed -n '/PROBE [0-9]/,/^END/p' | sed -e 's/.*PROBE /PROBE /' -e 's/^END.*/END/'
}

inject "$out/report/index.html" "$out/report/probe.html"
result=$(probe_page "$out/report/probe.html")
echo "$result"
[ -n "$result" ] || fail "the probe did not run (see $out/chromium.log)"
images=$(grep -o '<img ' "$out/report/index.html" | wc -l)
[ "$images" -ge 5 ] || fail "the page shows only $images figures (data, costs and 3 boundaries at least)"
[ "$(echo "$result" | head -n 1)" = "PROBE $images" ] || fail "expected the browser to see $images images"
echo "$result" | grep -q BROKEN && fail "an image did not load"
echo "$result" | grep '^IMG ' | while read -r _ src state dims ink; do
  ink=${ink#ink=}
  # At least 1% of a figure's pixels are not white: axes, labels and data were drawn.
  awk -v ink="$ink" 'BEGIN { exit !(ink >= 0.01) }' || fail "$src looks blank (ink $ink, $state $dims)"
done || exit 1

# ---- 3. the probe catches a broken figure ---------------------------------------------------------------
mkdir -p "$out/control"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"></svg>\n' \
  >"$out/control/broken.svg"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n' \
  >"$out/control/good.svg"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#fff"/></svg>\n' \
  >"$out/control/blank.svg"
printf '<!DOCTYPE html>\n<html><body><img src="good.svg"><img src="broken.svg"><img src="blank.svg">\n</body></html>\n' \
  >"$out/control/page.html"
inject "$out/control/page.html" "$out/control/probe.html"
control=$(probe_page "$out/control/probe.html")
echo "$control" | grep -q '^IMG good.svg ok' || fail "control: the good image was not seen as loaded: $control"
echo "$control" | grep -q '^IMG broken.svg BROKEN' || fail "control: the broken image was not caught: $control"
echo "$control" | grep -q '^IMG blank.svg ok 10x10 ink=0.0000' || fail "control: the blank image was not seen as blank: $control"

echo "ok: the report renders in Chromium ($out/report/index.html)"
