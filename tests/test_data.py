"""The data layer: real loaders against the cache, and the download paths against a
server on 127.0.0.1 (these machines have no internet; neither do many students)."""

import hashlib
import http.server
import re
import socket
import threading

import numpy as np
import pytest

from helpers import data
from helpers.config import REPO_ROOT
from helpers.data import REGISTRY, DataUnavailableError, RemoteFile, fetch

PAYLOAD = b"rows are samples\n" * 1000
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    mode = "ok"  # ok | wrong | truncated

    def do_GET(self):  # noqa: N802 - the http.server API
        body = {"ok": PAYLOAD, "wrong": b"other bytes", "truncated": PAYLOAD}[self.mode]
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        if self.mode == "truncated":
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)  # drop the connection mid-download
        else:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    _Handler.mode = "ok"


def _entry(url, name="toy/file.txt"):
    return RemoteFile(name, SHA, len(PAYLOAD), (url,))


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_download_verifies_and_caches(server, tmp_path):
    entry = _entry(f"http://127.0.0.1:{server.server_port}/file.txt")
    path = fetch(entry, cache=tmp_path, progress=False)
    assert path == tmp_path / "toy" / "file.txt"
    assert path.read_bytes() == PAYLOAD
    server.shutdown()  # the second call must not need the network
    assert fetch(entry, cache=tmp_path, progress=False) == path


def test_corrupted_cached_copy_is_detected_and_replaced(server, tmp_path):
    entry = _entry(f"http://127.0.0.1:{server.server_port}/file.txt")
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "file.txt").write_bytes(PAYLOAD[:-10] + b"corrupted!")
    with pytest.warns(UserWarning, match="wrong sha256"):
        path = fetch(entry, cache=tmp_path, progress=False)
    assert path.read_bytes() == PAYLOAD


def test_offline_without_cache_gives_one_clear_error(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/file.txt"
    with pytest.raises(DataUnavailableError) as err:
        fetch(_entry(url), cache=tmp_path, progress=False)
    msg = str(err.value)
    assert "'toy/file.txt'" in msg                      # which file
    assert f"Download it from {url}" in msg             # where to get it
    assert str(tmp_path / "toy" / "file.txt") in msg    # where to put it
    assert "NN_COURSE_DATA" in msg and SHA in msg
    assert not (tmp_path / "toy" / "file.txt").exists()


def test_corrupted_and_offline_says_so(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/file.txt"
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "file.txt").write_bytes(b"half a file")
    with pytest.warns(UserWarning), pytest.raises(DataUnavailableError, match="is corrupted"):
        fetch(_entry(url), cache=tmp_path, progress=False)


@pytest.mark.parametrize("mode", ["wrong", "truncated"])
def test_bad_download_leaves_no_file_in_the_cache(server, tmp_path, mode):
    _Handler.mode = mode
    entry = _entry(f"http://127.0.0.1:{server.server_port}/file.txt")
    with pytest.raises(DataUnavailableError):
        fetch(entry, cache=tmp_path, progress=False)
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == [], f"half-written files left in the cache: {leftovers}"


def test_mirror_is_tried_after_the_official_source(server, tmp_path):
    dead = f"http://127.0.0.1:{_closed_port()}/file.txt"
    entry = RemoteFile("toy/file.txt", SHA, len(PAYLOAD),
                       (dead, f"http://127.0.0.1:{server.server_port}/file.txt"))
    assert fetch(entry, cache=tmp_path, progress=False).read_bytes() == PAYLOAD


def test_unknown_name_lists_the_registry():
    with pytest.raises(KeyError, match="not in the data registry"):
        fetch("mnist/nope.gz")


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NN_COURSE_DATA", str(tmp_path))
    assert data.data_dir() == tmp_path.resolve()
    monkeypatch.delenv("NN_COURSE_DATA")
    assert data.data_dir() == REPO_ROOT / "data"


def test_registry_matches_the_shared_data_readme():
    """Every hash in the registry is the one published with the offline copy of the data."""
    candidates = [data.data_dir() / "README.md", REPO_ROOT.parent / "shared" / "data" / "README.md"]
    readme = next((p for p in candidates if p.exists()), None)
    if readme is None:
        pytest.skip(f"no data README at {candidates} (the course's offline copy of the data)")
    table = dict(re.findall(r"\| `([^`]+)` \| \d+ \| `([0-9a-f]{64})` \|", readme.read_text()))
    assert set(table) == set(REGISTRY)
    for name, entry in REGISTRY.items():
        assert entry.sha256 == table[name], name
    for entry in REGISTRY.values():
        assert entry.urls and all(u.startswith(("https://", "http://")) for u in entry.urls)


# ---- loaders, against the cache (NN_COURSE_DATA; CI points it at ../shared/data)

@pytest.mark.parametrize("loader", [data.load_mnist, data.load_fashion_mnist])
def test_image_loaders(loader):
    X, y = loader("test")
    assert X.shape == (10000, 28, 28) and X.dtype == np.uint8
    assert y.shape == (10000,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    Xtr, ytr = loader("train")
    assert Xtr.shape == (60000, 28, 28) and ytr.shape == (60000,)


def test_mnist_first_labels_are_the_official_ones():
    _, y = data.load_mnist("train")
    assert y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_bad_split_is_rejected():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.load_mnist("validation")


def test_scale_flatten_split_and_torch_wrappers():
    X, y = data.load_mnist("test")
    Xf = data.flatten(data.scale(X))
    assert Xf.shape == (10000, 784) and Xf.dtype == np.float32 and 0 <= Xf.min() <= Xf.max() <= 1
    Xtr, ytr, Xva, yva = data.train_val_split(Xf, y, val_size=0.2, seed=0)
    assert Xtr.shape == (8000, 784) and Xva.shape == (2000, 784) and len(ytr) == 8000
    again = data.train_val_split(Xf, y, val_size=2000, seed=0)
    np.testing.assert_array_equal(again[3], yva)
    Xs, ys = data.subsample(Xf, y, 100, seed=1)
    assert Xs.shape == (100, 784) and ys.shape == (100,)
    loader = data.make_loader(Xs, ys, batch_size=32, seed=0)
    xb, yb = next(iter(loader))
    assert tuple(xb.shape) == (32, 784) and str(xb.dtype) == "torch.float32"
    assert str(yb.dtype) == "torch.int64"
    with pytest.raises(ValueError, match="same length N, got 100 and 99"):
        data.to_dataset(Xs, ys[:99])


def test_text_loaders():
    text = data.load_tiny_shakespeare()
    assert len(text) == 1115394 and text.startswith("First Citizen:")
    books = data.load_gutenberg(["carroll-alice.txt"])
    assert "alice" in books["carroll-alice.txt"].lower().split()
    words, vectors = data.load_glove()
    assert len(words) == 50000 and vectors.shape == (50000, 50) and vectors.dtype == np.float32
    assert words[:3] == ["the", ",", "."]
    pairs = data.load_debiaswe("definitional_pairs")
    assert ["woman", "man"] in pairs


def test_glove_file_is_derived_from_the_official_zip(tmp_path, monkeypatch):
    """The top-N GloVe file is made from Stanford's zip, verified, and the zip is removed."""
    import functools
    import zipfile

    lines = [f"w{i} " + " ".join(["0.5"] * 3) + "\n" for i in range(5)]
    serve = tmp_path / "srv"
    serve.mkdir()
    with zipfile.ZipFile(serve / "glove.6B.zip", "w") as z:
        z.writestr("glove.6B.50d.txt", "".join(lines))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(serve))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(data, "GLOVE_ZIP_URL", f"http://127.0.0.1:{httpd.server_port}/glove.6B.zip")
        monkeypatch.setattr(data, "GLOVE_TOP_N", 3)
        expected = "".join(lines[:3]).encode()
        entry = RemoteFile("glove/top3.txt", hashlib.sha256(expected).hexdigest(), len(expected),
                           (data.GLOVE_ZIP_URL,), derived_from="first 3 lines")
        cache = tmp_path / "cache"
        path = fetch(entry, cache=cache, progress=False)
        assert path.read_bytes() == expected
        assert sorted(p.name for p in (cache / "glove").iterdir()) == ["top3.txt"]
        wrong = RemoteFile("glove/other.txt", "0" * 64, 1, (data.GLOVE_ZIP_URL,), derived_from="x")
        with pytest.raises(DataUnavailableError, match="do not have the expected sha256"):
            fetch(wrong, cache=cache, progress=False)
        assert sorted(p.name for p in (cache / "glove").iterdir()) == ["top3.txt"]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_analogy_questions_by_section():
    sections = data.load_analogy_questions()
    assert len(sections) == 14
    assert sum(len(q) for q in sections.values()) == 19544
    assert list(sections)[0] == "capital-common-countries"
    assert sections["capital-common-countries"][0] == ("athens", "greece", "baghdad", "iraq")
    assert sum(not s.startswith("gram") for s in sections) == 5
    assert all(len(q) == 4 and all(w == w.lower() for w in q)
               for qs in sections.values() for q in qs)
