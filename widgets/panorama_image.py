"""Draw the 360° panorama that ships with leerpad: a workshop classroom (``werkplaats``).

Run ``python -m leerpad.widgets.panorama_image`` to write
``widgets/static/panorama-werkplaats.png`` again (2048 × 1024, equirectangular). Every pixel
is a ray from the viewer's eye into a box-shaped room; what it hits (a wall with a board, a
door, a window, a fire extinguisher, an emergency exit sign; the floor; the ceiling) gives
its colour. Only numpy: no image library needed.

Directions are those of ``{panorama}``: yaw 0 is the middle of the image, positive to the
right; pitch 0 is the horizon, positive up. ``LANDMARKS`` lists where things are, for
authors who set hotspots on this image.
"""

import struct
import zlib
from pathlib import Path

import numpy as np

WIDTH, HEIGHT = 2048, 1024
EYE = 1.6  # metres above the floor
CEILING = 3.0
# Walls: front (ahead, z = +4), right (x = +4), back (z = -3), left (x = -4).
FRONT, RIGHT, BACK, LEFT = 4.0, 4.0, 3.0, 4.0

# Where the things are, as {panorama} hotspots (yaw, pitch in degrees; measured from the
# drawing below, rounded).
LANDMARKS = {
    "bord": {"yaw": 0, "pitch": -1},
    "werkbank": {"yaw": 0, "pitch": -16},
    "raam": {"yaw": 69, "pitch": 1},
    "brandblusser": {"yaw": 104, "pitch": -14},
    "deur": {"yaw": 120, "pitch": -7},
    "kasten": {"yaw": 180, "pitch": -11},
    "nooduitgang": {"yaw": -90, "pitch": 12},
    "nooddeur": {"yaw": -90, "pitch": -8},
    "noodstop": {"yaw": -39, "pitch": -1},
}

WALL = np.array([236, 228, 210], np.uint8)
COLOURS = {
    "floor": (150, 150, 146),
    "floor_line": (120, 120, 116),
    "ceiling": (246, 246, 242),
    "light": (255, 255, 235),
    "skirting": (90, 90, 96),
    "board": (34, 87, 60),
    "board_frame": (150, 150, 150),
    "bench": (139, 90, 43),
    "bench_top": (181, 135, 80),
    "vice": (70, 80, 95),
    "window": (170, 210, 240),
    "window_frame": (245, 245, 245),
    "extinguisher": (205, 30, 35),
    "extinguisher_top": (30, 30, 30),
    "sign_red": (200, 30, 35),
    "door": (176, 124, 72),
    "door_frame": (110, 110, 115),
    "handle": (60, 60, 60),
    "cabinet": (74, 110, 160),
    "cabinet_line": (40, 60, 90),
    "exit_sign": (0, 140, 70),
    "exit_white": (255, 255, 255),
    "emergency_stop": (230, 190, 0),
}


def directions():
    """Unit ray per pixel: x right, y up, z ahead."""
    yaw = (np.arange(WIDTH) + 0.5) / WIDTH * 2 * np.pi - np.pi
    pitch = np.pi / 2 - (np.arange(HEIGHT) + 0.5) / HEIGHT * np.pi
    yaw, pitch = np.meshgrid(yaw, pitch)
    return np.cos(pitch) * np.sin(yaw), np.sin(pitch), np.cos(pitch) * np.cos(yaw)


def draw() -> np.ndarray:
    dx, dy, dz = directions()
    big = np.full(dx.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        hits = {
            "front": np.where(dz > 0, FRONT / dz, big),
            "back": np.where(dz < 0, -BACK / dz, big),
            "right": np.where(dx > 0, RIGHT / dx, big),
            "left": np.where(dx < 0, -LEFT / dx, big),
            "floor": np.where(dy < 0, -EYE / dy, big),
            "ceiling": np.where(dy > 0, (CEILING - EYE) / dy, big),
        }
    names = list(hits)
    nearest = np.argmin(np.stack([hits[n] for n in names]), axis=0)
    t = np.min(np.stack([hits[n] for n in names]), axis=0)
    x, y, z = dx * t, dy * t + EYE, dz * t  # y: height above the floor
    image = np.empty((*dx.shape, 3), np.uint8)
    image[:] = WALL
    shade = {"front": 1.0, "right": 0.93, "back": 0.97, "left": 0.9}

    def paint(mask, colour):
        image[mask] = COLOURS[colour] if isinstance(colour, str) else colour

    def on(wall):
        return nearest == names.index(wall)

    for wall, factor in shade.items():
        paint(on(wall), (WALL * factor).astype(np.uint8))
        paint(on(wall) & (y < 0.12), "skirting")

    def rect(wall, across, a0, a1, y0, y1, colour):
        paint(on(wall) & (across >= a0) & (across <= a1) & (y >= y0) & (y <= y1), colour)

    # floor tiles of 1 m and ceiling lights
    floor = on("floor")
    paint(floor, "floor")
    paint(floor & ((np.abs(x % 1.0) < 0.02) | (np.abs(z % 1.0) < 0.02)), "floor_line")
    paint(on("ceiling"), "ceiling")
    for cx in (-2.0, 2.0):
        for cz in (-1.5, 1.5):
            lit = on("ceiling") & (np.abs(x - cx) < 0.6) & (np.abs(z - cz) < 0.3)
            paint(lit, "light")

    # front wall: board, workbench with a vice, a yellow emergency stop on the left
    rect("front", x, -1.6, 1.6, 0.85, 2.15, "board_frame")
    rect("front", x, -1.5, 1.5, 0.9, 2.1, "board")
    rect("front", x, -1.8, 1.8, 0.0, 0.85, "bench")
    rect("front", x, -1.8, 1.8, 0.8, 0.9, "bench_top")
    rect("front", x, 0.9, 1.2, 0.9, 1.05, "vice")
    rect("front", x, -3.35, -3.05, 1.35, 1.65, "emergency_stop")
    paint(on("front") & ((x + 3.2) ** 2 + (y - 1.5) ** 2 < 0.09**2), "sign_red")

    # right wall (across = z): window, fire extinguisher with its sign, door
    rect("right", z, 0.4, 2.6, 1.0, 2.4, "window_frame")
    rect("right", z, 0.5, 2.5, 1.1, 2.3, "window")
    rect("right", z, 1.47, 1.53, 1.1, 2.3, "window_frame")
    rect("right", z, -1.12, -0.88, 0.35, 0.85, "extinguisher")
    rect("right", z, -1.05, -0.95, 0.85, 0.95, "extinguisher_top")
    rect("right", z, -1.2, -0.8, 1.1, 1.45, "sign_red")
    rect("right", z, -1.1, -0.9, 1.2, 1.35, "exit_white")
    rect("right", z, -2.9, -1.7, 0.0, 2.2, "door_frame")
    rect("right", z, -2.8, -1.8, 0.0, 2.1, "door")
    rect("right", z, -2.0, -1.9, 1.0, 1.08, "handle")

    # back wall (across = x): cabinets with doors
    rect("back", x, -3.0, 3.0, 0.0, 2.0, "cabinet")
    for edge in np.arange(-3.0, 3.01, 1.0):
        rect("back", x, edge - 0.02, edge + 0.02, 0.0, 2.0, "cabinet_line")
    rect("back", x, -3.0, 3.0, 0.98, 1.02, "cabinet_line")

    # left wall (across = z): emergency exit door with the green sign above it
    rect("left", z, -0.6, 0.6, 0.0, 2.2, "door_frame")
    rect("left", z, -0.5, 0.5, 0.0, 2.1, "exit_sign")
    rect("left", z, -0.45, 0.45, 0.05, 2.05, "door")
    rect("left", z, -0.45, 0.45, 0.95, 1.05, "handle")
    rect("left", z, -0.45, 0.45, 2.3, 2.65, "exit_sign")
    # the running figure of the sign, reduced to a white door and an arrow
    rect("left", z, 0.1, 0.3, 2.35, 2.6, "exit_white")
    rect("left", z, -0.35, 0.0, 2.45, 2.5, "exit_white")
    paint(
        on("left") & (z < -0.2) & (z > -0.4) & (np.abs(y - 2.475) < (z + 0.4) * 0.5), "exit_white"
    )
    return image


def png(image: np.ndarray) -> bytes:
    """A PNG file of an RGB image (no filter, deflate at level 9)."""
    height, width, _ = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    target = Path(__file__).resolve().parent / "static" / "panorama-werkplaats.png"
    target.write_bytes(png(draw()))
    print(f"{target} ({target.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
