"""GeoPackage extras written with sqlite3: QGIS ``layer_styles`` and layer metadata.

* ``layer_styles`` follows the table QGIS creates when a style is saved "in the
  database": one default style (QML and SLD) per spatial layer, registered in
  ``gpkg_contents`` as an attributes table, so QGIS 3.22+ opens each layer styled.
* Metadata use the GeoPackage metadata extension (``gpkg_metadata`` and
  ``gpkg_metadata_reference``, registered in ``gpkg_extensions``): a QGIS metadata
  document (QMD: title, abstract, sources as links, licence, rights) per layer, and
  one for the whole file.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from gisplan.outputs.qgis_styles import QGIS_VERSION, qml, sld
from gisplan.outputs.symbology import Symbology, alternative_symbologies, layer_symbology

__all__ = ["add_layer_styles", "add_metadata"]

_LAYER_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""
_METADATA_DDL = (
    """CREATE TABLE IF NOT EXISTS gpkg_metadata (
    id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
    md_scope TEXT NOT NULL DEFAULT 'dataset',
    md_standard_uri TEXT NOT NULL,
    mime_type TEXT NOT NULL DEFAULT 'text/xml',
    metadata TEXT NOT NULL DEFAULT ''
)""",
    """CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
    reference_scope TEXT NOT NULL,
    table_name TEXT,
    column_name TEXT,
    row_id_value INTEGER,
    timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    md_file_id INTEGER NOT NULL,
    md_parent_id INTEGER,
    CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
    CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id)
)""",
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
    table_name TEXT,
    column_name TEXT,
    extension_name TEXT NOT NULL,
    definition TEXT NOT NULL,
    scope TEXT NOT NULL,
    CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
)""",
)
_METADATA_EXTENSION = "http://www.geopackage.org/spec/#extension_metadata"
QMD_URI = "http://mrcc.com/qgis.dtd"
"""``md_standard_uri`` of QGIS metadata documents."""
PROJECT_TITLE = "成都市“十四五”规划空间图层 Chengdu 14th Five-Year Plan: spatial layers (gisplan)"


def _geometry_columns(connection: sqlite3.Connection) -> dict[str, str]:
    rows = connection.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
    return dict(rows.fetchall())


def _style_description(symbology: Symbology) -> str:
    by = f" by {symbology.column}" if symbology.column else ""
    return f"gisplan style: {symbology.renderer}{by}"


def add_layer_styles(path: Path, layers: Mapping[str, pd.DataFrame]) -> None:
    """Add a default QGIS style for every spatial layer to a GeoPackage.

    Layers with a coverage share also get a second, graduated style (not default),
    which QGIS lists under Style > Load Style > From Database.

    Parameters
    ----------
    path : pathlib.Path
        A GeoPackage holding the layers (it is modified in place).
    layers : mapping of str to (Geo)DataFrame
        The layers written into it; styles are derived from their data.
    """
    with sqlite3.connect(path) as connection:
        geometry_columns = _geometry_columns(connection)
        connection.execute(_LAYER_STYLES_DDL)
        for name, frame in layers.items():
            if name not in geometry_columns or not isinstance(frame, gpd.GeoDataFrame):
                continue
            default = layer_symbology(name, frame)
            for symbology in [default, *alternative_symbologies(name, frame)]:
                style_name = name if symbology is default else f"{name}_by_{symbology.column}"
                connection.execute(
                    "DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?",
                    (name, style_name),
                )
                connection.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, 'gisplan', NULL)",
                    (name, geometry_columns[name], style_name, qml(symbology), sld(symbology),
                     int(symbology is default), _style_description(symbology)),
                )
        connection.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS layer styles', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
        )
    connection.close()


def _text(parent: ET.Element, tag: str, text: str, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    element.text = text
    return element


def _title(meta: Mapping[str, Any]) -> str:
    return " ".join(str(meta[k]) for k in ("title_zh", "title_en") if meta.get(k))


def _qmd(identifier: str, meta: Mapping[str, Any], kind: str) -> str:
    root = ET.Element("qgis", version=QGIS_VERSION)
    _text(root, "identifier", identifier)
    _text(root, "parentidentifier", "gisplan")
    _text(root, "language", "zh")
    _text(root, "type", kind)
    _text(root, "title", _title(meta) or identifier)
    _text(root, "abstract", str(meta.get("description", "")))
    keywords = ET.SubElement(root, "keywords", vocabulary="gisplan")
    for word in ("Chengdu", "成都", "14th Five-Year Plan", "十四五规划"):
        _text(keywords, "keyword", word)
    links = ET.SubElement(root, "links")
    for source in meta.get("sources", []):
        ET.SubElement(links, "link", name=str(source.get("title", source.get("id", ""))),
                      type="WWW:LINK", url=str(source.get("url", "")),
                      description=f"source id {source.get('id', '')}; licence "
                      f"{source.get('licence', '')}; {source.get('attribution', '')}",
                      format="", mimeType="", size="")
    _text(root, "fees", "")
    licence = str(meta.get("licence", ""))
    _text(root, "constraints", licence, type="Licence")
    rights = ET.SubElement(root, "rights")
    rights.text = str(meta.get("attribution", ""))
    licences = ET.SubElement(root, "licenses")
    _text(licences, "license", licence)
    _text(root, "encoding", "UTF-8")
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def _insert_metadata(connection: sqlite3.Connection, document: str, scope: str,
                     table: str | None, parent: int | None) -> int:
    cursor = connection.execute(
        "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
        "VALUES ('dataset', ?, 'text/xml', ?)", (QMD_URI, document),
    )
    md_id = int(cursor.lastrowid or 0)
    connection.execute(
        "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, md_file_id, "
        "md_parent_id) VALUES (?, ?, ?, ?)", (scope, table, md_id, parent),
    )
    return md_id


def add_metadata(path: Path, layers: Mapping[str, pd.DataFrame]) -> None:
    """Add title, abstract, sources and licence of every layer to a GeoPackage.

    Parameters
    ----------
    path : pathlib.Path
        A GeoPackage holding the layers (it is modified in place).
    layers : mapping of str to (Geo)DataFrame
        The layers written into it; metadata come from each frame's
        ``attrs["gisplan"]`` (catalogue layers) or, failing that, its name.
    """
    with sqlite3.connect(path) as connection:
        for statement in _METADATA_DDL:
            connection.execute(statement)
        for table in ("gpkg_metadata", "gpkg_metadata_reference"):
            connection.execute(
                "INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', ?, "
                "'read-write')", (table, _METADATA_EXTENSION),
            )
        project = {"title_zh": PROJECT_TITLE, "description": (
            "Geocoded layers and analysis outputs of Chengdu's 14th Five-Year Plan outline; "
            "each layer's own metadata lists its sources and licence.")}
        parent = _insert_metadata(connection, _qmd("gisplan", project, "dataset"),
                                  "geopackage", None, None)
        used: set[str] = set()
        for name, frame in layers.items():
            meta = frame.attrs.get("gisplan") or {"title_en": name}
            _insert_metadata(connection, _qmd(name, meta, "dataset"), "table", name, parent)
            title = _title(meta) or name
            identifier = title if title not in used else f"{title} ({name})"  # must be unique
            used.add(identifier)
            connection.execute(
                "UPDATE gpkg_contents SET identifier = ?, description = ? WHERE table_name = ?",
                (identifier, str(meta.get("description", "")), name),
            )
    connection.close()
