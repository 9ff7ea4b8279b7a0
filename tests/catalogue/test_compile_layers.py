"""Recompiling every layer from the raw data reproduces the committed files byte for byte."""

import pytest

from compile_layers import __main__ as compile_main
from compile_layers._common import LAYERS, RAW

pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data folder {RAW} not available")


@pytest.fixture(scope="module")
def recompiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("layers")
    return out, compile_main.compile_all(out)


def test_every_compiler_writes_files(recompiled):
    _, written = recompiled
    assert written and len(written) == len(set(written))
    assert all(name.endswith((".geojson", ".csv", ".meta.json")) for name in written)


def test_recompiled_files_match_the_committed_layers(recompiled):
    out, written = recompiled
    differing = [name for name in written
                 if (out / name).read_bytes() != (LAYERS / name).read_bytes()]
    assert not differing, f"recompiled files differ from layers/: {differing}"


def test_every_committed_layer_has_a_compiler(recompiled):
    _, written = recompiled
    committed = {p.name for p in LAYERS.glob("*.meta.json")}
    assert committed <= set(written), f"no compiler writes {sorted(committed - set(written))}"
