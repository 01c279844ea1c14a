#!/usr/bin/env bash
# Ship-it check: build the sdist and, from it, the wheel; check that both hold what runs; install
# the wheel (not editable) into a fresh venv; run the packaged model through the command line
# from a folder outside the source tree, with no --model and no data files. Fails loudly.
#
# The venv reuses the installed torch / RDKit (--system-site-packages); skmetalpka itself comes
# from the wheel only (checked: it is imported from the venv, not from the checkout).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/skmetalpka-wheel.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() {
    echo "wheel_smoke: FAILED: $*" >&2
    exit 1
}
step() { echo "wheel_smoke: $*"; }

step "copying the working tree (tracked and unignored files) to $work/src"
mkdir "$work/src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$work/src"

step "building the sdist, then the wheel from the sdist"
if ! python3 -m build --no-isolation --outdir "$work/dist" "$work/src" >"$work/build.log" 2>&1; then
    tail -40 "$work/build.log" >&2
    fail "python3 -m build"
fi
wheel="$(ls "$work"/dist/*.whl)"
sdist="$(ls "$work"/dist/*.tar.gz)"

step "checking their contents"
python3 - "$wheel" "$sdist" "$work/src" <<'EOF' || fail "contents"
import re
import sys
import tarfile
import zipfile
from pathlib import Path

wheel, sdist, src = sys.argv[1:]
src = Path(src)
version = re.search(r'__version__ = "([^"]+)"', (src / "skmetalpka/_version.py").read_text()).group(1)
# every file of the package in the checkout (code and data), and the packaged model by name
needed = sorted(
    str(p.relative_to(src)) for p in (src / "skmetalpka").rglob("*") if p.is_file()
)
needed += ["skmetalpka/pretrained/default.skmodel", "skmetalpka/pretrained/MODEL_CARD.md"]
in_wheel = set(zipfile.ZipFile(wheel).namelist())
with tarfile.open(sdist) as tar:
    in_sdist = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
problems = [f"wheel lacks {n}" for n in needed if n not in in_wheel]
problems += [f"sdist lacks {n}" for n in needed if n not in in_sdist]
problems += [f"wheel holds a pickle: {n}" for n in in_wheel if n.endswith((".joblib", ".pkl"))]
if f"-{version}-" not in wheel:
    problems.append(f"wheel {wheel} is not version {version} (skmetalpka/_version.py)")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF

step "installing the wheel into a fresh venv"
python3 -m venv --system-site-packages "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --no-deps --force-reinstall --no-index "$wheel" ||
    fail "pip install of the wheel"
skm="$work/venv/bin/skmetalpka"
[ -x "$skm" ] || fail "the wheel installed no skmetalpka command"

# outside the source tree, with no data anywhere
mkdir "$work/run" "$work/no-data"
cd "$work/run"
unset PYTHONPATH
export SKMETALPKA_DATA_HOME="$work/no-data"

"$py" - "$work/venv" <<'EOF' || fail "skmetalpka is not imported from the installed wheel"
import sys
from pathlib import Path

import skmetalpka
from skmetalpka.pretrained import default_model_path

venv = Path(sys.argv[1]).resolve()
where = Path(skmetalpka.__file__).resolve()
print(f"wheel_smoke: skmetalpka {skmetalpka.__version__} from {where}")
assert venv in where.parents, f"imported from {where}, not from the venv {venv}"
assert default_model_path().is_file(), default_model_path()
EOF

step "skmetalpka --version"
"$skm" --version || fail "--version"

step "skmetalpka predict --smiles NCCN --metal Cu2+"
"$skm" predict --smiles NCCN --metal Cu2+ --std >predict.csv || fail "predict"
cat predict.csv
"$py" - <<'EOF' || fail "predict output"
import csv
import math

rows = list(csv.DictReader(open("predict.csv")))
assert len(rows) == 1, rows
row = rows[0]
assert row["error"] == "", row["error"]
beta1 = float(row["log_beta_1"])
assert math.isfinite(beta1) and 5 < beta1 < 15, beta1  # Cu-en log beta_1 is about 10.5
EOF

step "skmetalpka rank --smiles NCCN --metals Cu2+,Ca2+ --ph 7"
"$skm" rank --smiles NCCN --metals Cu2+,Ca2+ --ph 7 --output rank.csv || fail "rank"
head -2 rank.csv | grep -q "Cu2+" || fail "rank: Cu2+ is not first"

step "skmetalpka speciate --smiles NCCN --metal Cu2+ --ph 2:12:0.5 --out speciation"
"$skm" speciate --smiles NCCN --metal Cu2+ --ph 2:12:0.5 --out speciation || fail "speciate"
for f in speciation.csv speciation.png constants.json; do
    [ -s "speciation/$f" ] || fail "speciate wrote no $f"
done

step "passed"
