"""The position a camera wrote into a photo's EXIF GPS block (IFD 0x8825), in decimal degrees.

Read with Pillow's own EXIF parser (no extra dependency). Latitude and longitude are rationals as
degrees, minutes, seconds with N/S and E/W references. A position outside [-90, 90] x [-180, 180]
or exactly (0, 0) — what cameras write when they had no fix — is no position.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

GPS_IFD = 0x8825
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


def _degrees(value: Any) -> float:
    parts = [float(p) for p in value]
    while len(parts) < 3:
        parts.append(0.0)
    return parts[0] + parts[1] / 60 + parts[2] / 3600


def _ref(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    return str(value or "").strip("\x00 ").upper()


def gps_position(image: Image.Image) -> tuple[float, float] | None:
    """(lat, lon) from the photo's EXIF, or None when it has none (or an impossible one).

    Raises ``ValueError`` when a GPS block is present but unreadable (so the caller can warn).
    """
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on a corrupt EXIF block
        raise ValueError(f"its EXIF block cannot be read ({type(exc).__name__})") from None
    if not gps or _LAT not in gps or _LON not in gps:
        return None
    try:
        lat, lon = _degrees(gps[_LAT]), _degrees(gps[_LON])
    except (TypeError, ValueError, ZeroDivisionError):
        raise ValueError("its EXIF GPS position is not a number") from None
    if _ref(gps.get(_LAT_REF)) == "S":
        lat = -lat
    if _ref(gps.get(_LON_REF)) == "W":
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"its EXIF GPS position ({lat:.4f}, {lon:.4f}) is off the globe")
    if lat == 0 and lon == 0:
        return None  # "null island": the camera had no fix
    return round(lat, 6), round(lon, 6)
