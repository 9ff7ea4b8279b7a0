"""Make folium maps self-contained: Leaflet and plugin assets inlined from local files.

folium links Leaflet, its plugins and their stylesheets from public CDNs, which may
be unreachable (offices behind proxies, mainland China). :func:`inline_assets`
replaces each such ``<script src>`` and ``<link rel="stylesheet">`` with the same
file's content from an installed copy:

* Leaflet 1.9.3 (BSD-2-Clause) from the ``xstatic-leaflet`` package;
* leaflet.fullscreen 3.0.0 (MIT) shipped in ``gisplan/outputs/maps/assets/leaflet.fullscreen``.

Images that the stylesheets reference (the layer-control icon, the fullscreen icon)
become ``data:`` URIs, so a map saved by gisplan draws everything but its basemap
tiles without a network.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from gisplan._errors import GisplanError

__all__ = ["LEAFLET_CSS_URL", "LEAFLET_JS_URL", "external_assets", "inline_assets"]

LEAFLET_JS_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
"""The Leaflet script URL folium 0.17-0.20 links; inlined from ``xstatic-leaflet``."""
LEAFLET_CSS_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
"""The Leaflet stylesheet URL folium links; inlined from ``xstatic-leaflet``."""

_FULLSCREEN_DIR = Path(__file__).resolve().parent / "assets" / "leaflet.fullscreen"
_SCRIPT = re.compile(r'<script\s+src="(?P<url>https?://[^"]+)"\s*>\s*</script>')
_STYLESHEET = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>https?://[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\((?P<ref>[^)#:]+\.(?:png|svg))\)")
_MIME = {".png": "image/png", ".svg": "image/svg+xml"}


def _leaflet_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as leaflet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise GisplanError(
            "offline maps need the Leaflet files of the 'xstatic-leaflet' package; "
            "install it with: pip install xstatic-leaflet"
        ) from exc
    return Path(leaflet.BASE_DIR)


def _local_file(url: str) -> Path | None:
    """Return the local copy of a CDN asset URL, or None when there is none."""
    name = url.rsplit("/", 1)[-1]
    if "/leaflet@1.9." in url and name in {"leaflet.js", "leaflet.css"}:
        return _leaflet_dir() / name
    if "/leaflet.fullscreen@" in url:
        return _FULLSCREEN_DIR / name.replace(".min.js", ".js")
    return None


def _data_uri(path: Path) -> str:
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{_MIME[path.suffix]};base64,{encoded}"


@cache
def _inline_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":
        folder = path.parent
        text = _CSS_URL.sub(lambda m: f"url({_data_uri(folder / m.group('ref'))})", text)
    # A literal "</script>" or "</style>" inside the asset would end the element early.
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def external_assets(html: str) -> list[str]:
    """Return the http(s) script and stylesheet URLs that a page loads.

    Parameters
    ----------
    html : str
        An HTML page.

    Returns
    -------
    list of str
        URLs of ``<script src>`` and ``<link rel="stylesheet">`` elements, in page order.
    """
    found = [(m.start(), m.group("url")) for m in _SCRIPT.finditer(html)]
    found += [(m.start(), m.group("url")) for m in _STYLESHEET.finditer(html)]
    return [url for _, url in sorted(found)]


def _replacer(tag: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        url = match.group("url")
        path = _local_file(url)
        if path is None or not path.is_file():
            raise GisplanError(
                f"the map links {url}, which has no local copy; it would not load without "
                "a network. Use only Leaflet and the fullscreen plugin, or add the asset "
                "to gisplan.outputs.maps._assets"
            )
        return f"<{tag}>/* {path.name}: inlined from {url} */\n{_inline_text(path)}</{tag}>"

    return replace


def inline_assets(html: str) -> str:
    """Replace CDN scripts and stylesheets in a page with their inlined local copies.

    Parameters
    ----------
    html : str
        A page rendered by folium.

    Returns
    -------
    str
        The page with every external ``<script src>`` and stylesheet inlined.

    Raises
    ------
    GisplanError
        If the page links an asset that has no local copy.
    """
    html = _SCRIPT.sub(_replacer("script"), html)
    return _STYLESHEET.sub(_replacer("style"), html)
