"""Model file formats compared: size and load time of the safe ``.skmodel`` against pickles.

For the packaged model (an ensemble of three GNN pipelines, saved compact with float16 weights)
and for three baselines trained on the embedded MINTEQ data (GPR, a 300-tree fingerprint forest,
per-metal mean), the same fitted estimator is saved as

* ``skmodel``: :func:`skmetalpka.persistence.save_model` (zip of JSON + safetensors, no code);
* ``pickle``: ``save_model(..., file_format="pickle")`` (joblib, uncompressed);
* ``pickle-xz``: the same with ``compress=("xz", 9)`` (how skmetalpka 0.1 shipped its model);

and loaded back: ``load (warm)`` is the median of 5 loads in a process that has imported
skmetalpka already; ``load (fresh)`` is the first load in a new Python process, after importing
skmetalpka (the imports, about 5-10 s, are the same for every format). Every loaded model must predict bit-identically.

It also records what happened when the same GNN pipeline was given to ``skops.io`` (when
installed), the alternative that was considered.

Usage::

    python benchmarks/model_files.py

Writes benchmarks/results/model_files.json and .md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import md_table, save  # noqa: E402

FORMATS = {
    "skmodel": {},
    "pickle": {"file_format": "pickle"},
    "pickle-xz": {"file_format": "pickle", "compress": ("xz", 9)},
}
FRESH = (  # the first load in a new process, after the imports that both formats need
    "import sys, time\n"
    "import skmetalpka.baselines, skmetalpka.pipelines, skmetalpka.pretrained\n"
    "from skmetalpka.persistence import load_model\n"
    "t = time.perf_counter()\n"
    "load_model(sys.argv[1], trusted=True)\n"
    "print(time.perf_counter() - t)\n"
)


def _models():
    from skmetalpka import load_minteq
    from skmetalpka.baselines import (
        FingerprintForestRegressor,
        GPRBeta1Regressor,
        MetalMeanRegressor,
    )
    from skmetalpka.pretrained import load_default_model

    X, y = load_minteq()
    yield (
        "packaged GNN ensemble",
        load_default_model(),
        X,
        {"compact": True, "half_precision": True},
    )
    yield "GPR (MINTEQ)", GPRBeta1Regressor(random_state=0).fit(X, y), X, {}
    forest = FingerprintForestRegressor(n_estimators=300, random_state=0, n_jobs=1)
    yield "forest, 300 trees x 5 steps (MINTEQ)", forest.fit(X, y), X, {}
    yield "per-metal mean (MINTEQ)", MetalMeanRegressor().fit(X, y), X, {}


def _skops_attempt() -> str:
    try:
        import skops
        import skops.io as sio
    except ImportError:
        return "skops is not installed"
    from skmetalpka import default_pipeline, load_minteq

    X, y = load_minteq()
    pipe = default_pipeline(max_epochs=1, hidden_dim=16).fit(X.iloc[:40], y[:40])
    try:
        data = sio.dumps(pipe)
    except Exception as exc:  # what skops says about a skorch/PyG pipeline
        return (
            f"skops {skops.__version__}: dumps(default_pipeline) raised {type(exc).__name__}: {exc}"
        )
    untrusted = sio.get_untrusted_types(data=data)
    return f"skops {skops.__version__}: dumped; untrusted types to allow: {untrusted}"


def main() -> None:
    from skmetalpka.persistence import load_model, save_model

    warnings.simplefilter("ignore")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, X, options in _models():
            reference = model.predict(X)
            for fmt, extra in FORMATS.items():
                path = Path(tmp) / f"model.{fmt}"
                save_model(model, path, model="x", trained_on="x", **options, **extra)
                trusted = fmt != "skmodel"
                times = []
                for _ in range(5):
                    t = time.perf_counter()
                    back = load_model(path, trusted=trusted)
                    times.append(time.perf_counter() - t)
                # bit for bit (the packaged model's weights are float16-exact already)
                same = back.predict(X).tobytes() == reference.tobytes()
                fresh = subprocess.run(
                    [sys.executable, "-c", FRESH, str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                rows.append(
                    {
                        "model": name,
                        "format": fmt,
                        "size_MB": path.stat().st_size / 1e6,
                        "load_warm_s": statistics.median(times),
                        "load_fresh_s": float(fresh.stdout.strip()),
                        "same_predictions": bool(same),
                    }
                )
                print(rows[-1], flush=True)
    skops_note = _skops_attempt()
    print(skops_note)
    cols = ["model", "format", "size_MB", "load_warm_s", "load_fresh_s", "same_predictions"]
    md = (
        "# Model file formats\n\n`python benchmarks/model_files.py`\n\n"
        + md_table(rows, cols)
        + f"\n{skops_note}\n"
    )
    save("model_files", {"rows": rows, "skops": skops_note}, md)


if __name__ == "__main__":
    main()
