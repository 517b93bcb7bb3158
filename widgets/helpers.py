"""Small pieces the H5P-like exercise types share: Dutch words, shuffling, pickers, images.

Kept apart from ``base`` so the types in ``words``, ``pairs``, ``media``, ``cards``,
``sets``, ``scenario`` and ``coding`` stay short.
"""

import base64
import mimetypes
from pathlib import Path

import ipywidgets as w

from leerpad.i18n import phrases, t

from .base import Exercise, ExerciseConfigError, escape, require
from .order import Ordering

say = phrases("exercise")


def status_line(text: str) -> str:
    """A line that screen readers announce when it changes (the state of toggle buttons)."""
    return f"<p class='leerpad-status' role='status' aria-live='polite'>{escape(text)}</p>"


def shuffled(seed: str, items) -> list:
    """The same shuffle for every learner and every reload; never the given order."""
    return Ordering.start_order(seed, list(items))


def unique(items) -> list:
    return list(dict.fromkeys(items))


def text_list(exercise_id, config, name, minimum=1, fix=""):
    """config[name] as a list of distinct strings with at least `minimum` items."""
    values = require(exercise_id, config, name, list, fix)
    values = [str(v) for v in values]
    if len(values) < minimum:
        raise ExerciseConfigError(exercise_id, name, f"heeft minstens {minimum} item(s) nodig.")
    if len(set(values)) != len(values):
        raise ExerciseConfigError(exercise_id, name, "bevat twee keer hetzelfde item.")
    return values


def key_value(exercise_id, key, name, kind, fix=""):
    """key[name] with the right type, or an error that names the key field."""
    value = key.get(name)
    if not isinstance(value, kind) or not value:
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ExerciseConfigError(exercise_id, name, f"moet een niet-lege {names} zijn.", fix)
    return value


class AuthoredExercise(Exercise):
    """A type whose author writes the key; the public fields are derived from it.

    In the author's notebook the key is there, so the public fields (e.g. shuffled items)
    are computed here; the released notebook gets them literally from ``public_fields``
    via ``split_keys``. Either way the learner's widget is built from the same data.
    """

    def __init__(self, id, **kwargs):
        key = {k: kwargs[k] for k in self.key_fields if k in kwargs}
        if key:
            for name, value in self.public_fields(id, key).items():
                kwargs.setdefault(name, value)
        super().__init__(id, **kwargs)
        if key and self._key is None:
            # Exercise.__init__ only keeps a key written in the notebook when it has a
            # field called "answer"; these types name their key differently.
            self._key = self.validate_key(id, self.config, key)
            if self.checked:
                self.show_restored_check()


def picker(options, label, hide_label=False) -> w.Dropdown:
    """A dropdown with an empty first choice "Kies..." and a label for screen readers."""
    box = w.Dropdown(
        options=[(say("choose"), None), *[(str(o), o) for o in options]],
        value=None,
        description=label,
        tooltip=label,
        layout=w.Layout(width="auto"),
    )
    box.style.description_width = "0px" if hide_label else "initial"
    return box


def media_file(exercise_id, config, name="src", need_alt=True) -> dict:
    """Validate a file next to the notebook (or a URL) and, for images, its alt text."""
    src = require(exercise_id, config, name, str, "geef de bestandsnaam naast de notebook.")
    if not src.strip():
        raise ExerciseConfigError(exercise_id, name, "is leeg.")
    result = {**config, name: src}
    if need_alt:
        alt = config.get("alt")
        if not isinstance(alt, str) or not alt.strip():
            raise ExerciseConfigError(
                exercise_id,
                "alt",
                "ontbreekt: een afbeelding heeft een beschrijving nodig voor wie ze niet ziet.",
                "schrijf in 'alt' wat er op de afbeelding staat.",
            )
        result["alt"] = alt.strip()
    return result


def image_widget(src: str, alt: str) -> w.Widget:
    """The image from a file next to the notebook or a URL, as an ``<img>`` with its alt text
    (ipywidgets' Image has no alt attribute), and the description shown below it."""
    caption = w.HTML(f"<p class='leerpad-alt'>{escape(say('image_alt', alt=alt))}</p>")
    if src.startswith(("http://", "https://")):
        url = src
    else:
        path = Path(src)
        if not path.is_file():
            return w.HTML(f"<p role='alert'>{escape(say('image_missing', src=src))}</p>")
        kind = mimetypes.guess_type(path.name)[0] or "image/png"
        url = f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    image = w.HTML(f"<img src='{escape(url)}' alt='{escape(alt)}' style='max-width:100%'>")
    image.add_class("leerpad-image")
    return w.VBox([image, caption])


def media_widget(src: str) -> w.Widget:
    """A video or audio player from a file next to the notebook (bytes) or a URL."""
    kind = (mimetypes.guess_type(src)[0] or "video/mp4").split("/")
    cls = w.Audio if kind[0] == "audio" else w.Video
    if src.startswith(("http://", "https://")):
        return cls.from_url(src, autoplay=False, loop=False)
    path = Path(src)
    if not path.is_file():
        return w.HTML(f"<p role='alert'>{escape(say('media_missing', src=src))}</p>")
    return cls(value=path.read_bytes(), format=kind[1], autoplay=False, loop=False, controls=True)


def verdict(fraction: float) -> str:
    """ "Juist!", "Gedeeltelijk juist." or "Nog niet juist.", as the base class says it."""
    key = "right" if fraction >= 1 else "partial" if fraction > 0 else "wrong"
    return t(key)
