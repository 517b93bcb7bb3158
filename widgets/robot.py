"""Gridrobot: the learner programs a robot on a grid with command blocks, without typing.

The author draws the grid as rows of symbols (top row first)::

    rooster:
      - ". . # D"
      - ". . . ."
      - "^ . # ."

``^ > v <`` is the robot and where it looks, ``#`` a wall (or a chair), ``D`` the goal,
``*`` an item the robot has to pick up on its way. The key is a model program; it proves the
task can be solved within the limits and is shown as the solution. The learner's program is
graded by running it: deterministic, the same in the widget and in nbgrader.

A program is JSON: ``"vooruit"``, ``"links"``, ``"rechts"``,
``{"herhaal": 3, "doe": [...]}`` and ``{"als-muur": [...], "anders": [...]}``.
"""

import ipywidgets as w

from leerpad.i18n import phrases

from .base import Exercise, ExerciseConfigError, Result, escape, require

COMMANDS = {"vooruit": "vooruit", "links": "draai links", "rechts": "draai rechts"}
BLOCKS = (*COMMANDS, "herhaal", "als-muur")
ROBOT = {"^": 0, ">": 1, "v": 2, "<": 3}
HEADINGS = ("naar boven", "naar rechts", "naar onder", "naar links")
STEP = ((-1, 0), (0, 1), (1, 0), (0, -1))  # (row, column) per heading; row 0 is the top
MAX_REPEAT = 20
MAX_TICKS = 10_000  # blocks looked at in one run: stops loops that never move the robot
CELL = 44

say = phrases("robot")
LINES = {
    "herhaal": "herhaal {n} keer:",
    "als-muur": "als er een muur voor de robot staat:",
    "anders": "anders:",
    "einde": "einde",
}


class ProgramError(ValueError):
    """A program that is not made of the known blocks."""


class Stop(Exception):
    """Ends a run; the message says how: reached, crash or max_steps."""


def normalize(program, allowed=BLOCKS) -> list:
    """A program in its canonical form; raises ProgramError with a Dutch reason."""
    if not isinstance(program, list):
        raise ProgramError("een programma is een lijst met blokken.")
    result = []
    for block in program:
        if isinstance(block, str) and block in COMMANDS:
            name, value = block, block
        elif isinstance(block, dict) and "herhaal" in block:
            n = block["herhaal"]
            if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_REPEAT:
                raise ProgramError(f"'herhaal' vraagt een aantal van 1 tot {MAX_REPEAT}.")
            name, value = "herhaal", {"herhaal": n, "doe": normalize(block.get("doe", []), allowed)}
        elif isinstance(block, dict) and "als-muur" in block:
            name = "als-muur"
            value = {
                "als-muur": normalize(block["als-muur"] or [], allowed),
                "anders": normalize(block.get("anders") or [], allowed),
            }
        else:
            raise ProgramError(f"'{block}' is geen blok. Gebruik: {', '.join(BLOCKS)}.")
        if name not in allowed:
            raise ProgramError(say("not_allowed", block=name))
        result.append(value)
    return result


def count_blocks(program) -> int:
    total = 0
    for block in program:
        total += 1
        if isinstance(block, dict):
            total += sum(count_blocks(block.get(k, [])) for k in ("doe", "als-muur", "anders"))
    return total


def flatten(program, depth=0) -> list[tuple]:
    """The program as lines for the list the learner edits: (token, depth[, n])."""
    lines = []
    for block in program:
        if isinstance(block, str):
            lines.append((block, depth))
        elif "herhaal" in block:
            lines.append(("herhaal", depth, block["herhaal"]))
            lines += flatten(block["doe"], depth + 1)
            lines.append(("einde", depth))
        else:
            lines.append(("als-muur", depth))
            lines += flatten(block["als-muur"], depth + 1)
            lines.append(("anders", depth))
            lines += flatten(block["anders"], depth + 1)
            lines.append(("einde", depth))
    return lines


def unflatten(lines) -> list:
    """The inverse of ``flatten`` (depths are recomputed, so only the order matters)."""
    stack = [[]]
    for line in lines:
        token = line[0]
        if token in COMMANDS:
            stack[-1].append(token)
        elif token == "herhaal":
            block = {"herhaal": line[2], "doe": []}
            stack[-1].append(block)
            stack.append(block["doe"])
        elif token == "als-muur":
            block = {"als-muur": [], "anders": []}
            stack[-1].append(block)
            stack.append(block["als-muur"])
        elif token == "anders":
            stack.pop()
            stack.append(stack[-1][-1]["anders"])
        elif token == "einde":
            stack.pop()
    return stack[0]


def block_span(lines, index) -> tuple[int, int]:
    """The lines [start, end) of the block that line `index` belongs to."""
    if lines[index][0] in COMMANDS:
        return index, index + 1
    start = index
    if lines[index][0] in ("anders", "einde"):  # walk back to the block's header
        depth, start = 0, index - 1
        while lines[start][0] not in ("herhaal", "als-muur") or depth:
            if lines[start][0] == "einde":
                depth += 1
            elif lines[start][0] in ("herhaal", "als-muur"):
                depth -= 1
            start -= 1
    depth = 0
    for end in range(start, len(lines)):
        if lines[end][0] in ("herhaal", "als-muur"):
            depth += 1
        elif lines[end][0] == "einde":
            depth -= 1
            if depth == 0:
                return start, end + 1
    return start, len(lines)


def cell_name(row, col, rows) -> str:
    """Chess-like names as in the modules: columns A, B, ...; row 1 at the bottom."""
    return f"{chr(ord('A') + col)}{rows - row}"


def parse_grid(exercise_id, grid) -> dict:
    if not isinstance(grid, list) or not grid:
        raise ExerciseConfigError(
            exercise_id, "grid", "moet een lijst met rijen zijn.", "bv. ['^ . D', '. # .']."
        )
    rows = []
    for n, row in enumerate(grid, 1):
        if not isinstance(row, str):
            raise ExerciseConfigError(
                exercise_id,
                "grid",
                f"rij {n} moet tekst zijn.",
                "zet de rij tussen aanhalingstekens.",
            )
        rows.append(row.split() if " " in row.strip() else list(row.strip()))
    width = len(rows[0])
    found = {"robot": [], "goal": [], "walls": [], "items": []}
    for r, row in enumerate(rows):
        if len(row) != width or not row:
            raise ExerciseConfigError(
                exercise_id, "grid", f"rij {r + 1} heeft {len(row)} vakjes, rij 1 heeft er {width}."
            )
        for c, symbol in enumerate(row):
            place = [r, c]
            if symbol in ROBOT:
                found["robot"].append([r, c, ROBOT[symbol]])
            elif symbol in ("D", "d"):
                found["goal"].append(place)
            elif symbol == "#":
                found["walls"].append(place)
            elif symbol == "*":
                found["items"].append(place)
            elif symbol != ".":
                raise ExerciseConfigError(
                    exercise_id,
                    "grid",
                    f"rij {r + 1} bevat het onbekende teken '{symbol}'.",
                    "gebruik . (leeg), # (muur), D (doel), * (voorwerp) en ^ > v < (robot).",
                )
    for name, label in (("robot", "robot (^ > v <)"), ("goal", "doel (D)")):
        if len(found[name]) != 1:
            raise ExerciseConfigError(
                exercise_id, "grid", f"moet precies één {label} bevatten, niet {len(found[name])}."
            )
    return {
        "rows": len(rows),
        "cols": width,
        "start": found["robot"][0],
        "goal": found["goal"][0],
        "walls": found["walls"],
        "items": found["items"],
    }


def _limit(exercise_id, config, name):
    value = config.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise ExerciseConfigError(exercise_id, name, "moet een geheel getal groter dan 0 zijn.")
    return value


def run(world, program, max_steps) -> tuple[list, str]:
    """Run the program: the states after each step and how it ended.

    A state is (row, column, heading, items picked up). The run ends at the goal (with all
    items), at a wall or the edge, after `max_steps` steps, or when the program is done.
    """
    row, col, heading = world["start"]
    walls = {tuple(p) for p in world["walls"]}
    items = {tuple(p) for p in world["items"]}
    goal = tuple(world["goal"])
    picked: set = set()
    states = [(row, col, heading, 0)]
    ticks = 0

    def blocked():
        r, c = row + STEP[heading][0], col + STEP[heading][1]
        inside = 0 <= r < world["rows"] and 0 <= c < world["cols"]
        return not inside or (r, c) in walls

    def execute(blocks):
        nonlocal row, col, heading, ticks
        for block in blocks:
            ticks += 1
            if ticks > MAX_TICKS:
                raise Stop("max_steps")
            if block == "vooruit":
                if blocked():
                    raise Stop("crash")
                row, col = row + STEP[heading][0], col + STEP[heading][1]
                if (row, col) in items:
                    picked.add((row, col))
            elif block in ("links", "rechts"):
                heading = (heading + (1 if block == "rechts" else -1)) % 4
            elif "herhaal" in block:
                for _ in range(block["herhaal"]):
                    execute(block["doe"])
                continue
            else:
                execute(block["als-muur"] if blocked() else block["anders"])
                continue
            states.append((row, col, heading, len(picked)))
            if (row, col) == goal and picked == items:
                raise Stop("reached")
            if len(states) - 1 >= max_steps:
                raise Stop("max_steps")

    try:
        execute(program)
    except Stop as stop:
        return states, str(stop)
    return states, "ended"


def outcome_message(world, states, outcome, max_steps) -> str:
    row, col, _, picked = states[-1]
    rows = world["rows"]
    if outcome == "crash":
        return say("crash", cell=cell_name(row, col, rows))
    if outcome == "max_steps":
        return say("max_steps", max=max_steps)
    if outcome == "ended" and [row, col] == world["goal"]:
        return say("items_left", left=len(world["items"]) - picked)
    if outcome == "ended":
        return say("ended", cell=cell_name(row, col, rows), goal=cell_name(*world["goal"], rows))
    return ""


def svg(world, state, trail=()) -> str:
    """The grid as SVG with the cell names along the edges, and a text alternative."""
    rows, cols = world["rows"], world["cols"]
    row, col, heading, _ = state
    margin = 20  # room for the row numbers (left) and column letters (bottom)

    def centre(r, c):
        return margin + c * CELL + CELL / 2, r * CELL + CELL / 2

    def name(r, c):
        return cell_name(r, c, rows)

    parts = []
    for r in range(rows):
        parts.append(
            f"<text x='{margin / 2}' y='{centre(r, 0)[1] + 5}' text-anchor='middle' "
            f"font-size='13'>{rows - r}</text>"
        )
        for c in range(cols):
            fill = "#4b5563" if [r, c] in world["walls"] else "#ffffff"
            fill = "#bbf7d0" if [r, c] == world["goal"] else fill
            parts.append(
                f"<rect x='{margin + c * CELL}' y='{r * CELL}' width='{CELL}' height='{CELL}' "
                f"fill='{fill}' stroke='#9ca3af'/>"
            )
    for c in range(cols):
        parts.append(
            f"<text x='{centre(0, c)[0]}' y='{rows * CELL + 15}' text-anchor='middle' "
            f"font-size='13'>{chr(ord('A') + c)}</text>"
        )
    x, y = centre(*world["goal"])
    parts.append(
        f"<text x='{x}' y='{y + 6}' text-anchor='middle' font-size='16' fill='#166534'>D</text>"
    )
    visited = {tuple(p) for p in trail}
    for r, c in world["items"]:
        if (r, c) not in visited:  # picked up on the way
            x, y = centre(r, c)
            parts.append(f"<circle cx='{x}' cy='{y}' r='7' fill='#f59e0b'/>")
    for r, c in trail:
        x, y = centre(r, c)
        parts.append(f"<circle cx='{x}' cy='{y}' r='3' fill='#2563eb'/>")
    x, y = centre(row, col)
    h = CELL * 0.34
    parts.append(
        f"<polygon points='{x},{y - h} {x + h * 0.8},{y + h} {x - h * 0.8},{y + h}' "
        f"fill='#dc2626' transform='rotate({heading * 90} {x} {y})'/>"
    )
    label = say("grid", rows=rows, cols=cols)
    if world["walls"]:
        label += say("walls", cells=", ".join(name(r, c) for r, c in world["walls"]))
    if world["items"]:
        label += say("items", cells=", ".join(name(r, c) for r, c in world["items"]))
    label += say("goal", cell=name(*world["goal"]))
    label += say("status", step=len(trail), cell=name(row, col), heading=HEADINGS[heading])
    width, height = margin + cols * CELL, rows * CELL + margin
    return (
        f"<svg role='img' aria-label='{escape(label)}' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' class='leerpad-robot-grid'>{''.join(parts)}</svg>"
    )


class GridRobot(Exercise):
    """Robot: program a robot on a grid with blocks; right when it reaches the goal."""

    kind = "robot"
    fields = {
        "rooster": "grid",
        "max-blokken": "max_blocks",
        "max-stappen": "max_steps",
        "blokken": "blocks",
        "startprogramma": "start",
    }

    @classmethod
    def validate(cls, exercise_id, config):
        world = parse_grid(exercise_id, require(exercise_id, config, "grid", list))
        blocks = config.get("blocks", list(BLOCKS))
        if not isinstance(blocks, list) or not blocks or set(blocks) - set(BLOCKS):
            raise ExerciseConfigError(
                exercise_id, "blocks", "noemt een onbekend blok.", f"kies uit: {', '.join(BLOCKS)}."
            )
        if "vooruit" not in blocks:
            raise ExerciseConfigError(
                exercise_id, "blocks", "zonder 'vooruit' rijdt de robot niet."
            )
        try:
            start = normalize(config.get("start") or [], blocks)
        except ProgramError as err:
            raise ExerciseConfigError(exercise_id, "start", str(err)) from err
        return {
            **config,
            "start": start,
            "world": world,
            "blocks": [b for b in BLOCKS if b in blocks],
            "max_blocks": _limit(exercise_id, config, "max_blocks"),
            "max_steps": _limit(exercise_id, config, "max_steps") or 100,
        }

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        try:
            program = normalize(key.get("answer"), config["blocks"])
        except ProgramError as err:
            raise ExerciseConfigError(exercise_id, "answer", str(err)) from err
        result = cls.evaluate(config, {"answer": program}, program)
        if result.fraction < 1:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                "dit voorbeeldprogramma lost de opdracht niet op: " + " ".join(result.messages),
                "geef een programma dat het doel bereikt binnen de limieten.",
            )
        return {"answer": program}

    @classmethod
    def evaluate(cls, config, key, answer):
        try:
            program = normalize(answer, config["blocks"])
        except ProgramError as err:
            return Result(0.0, [say("bad_program", problem=err)])
        world, max_steps = config["world"], config["max_steps"]
        states, outcome = run(world, program, max_steps)
        if outcome != "reached":
            return Result(0.0, [outcome_message(world, states, outcome, max_steps)])
        blocks = count_blocks(program)
        message = say("reached", steps=len(states) - 1, blocks=blocks)
        if config["max_blocks"] and blocks > config["max_blocks"]:
            return Result(
                0.5, [message, say("too_many_blocks", blocks=blocks, max=config["max_blocks"])]
            )
        return Result(1.0, [message])

    @classmethod
    def solution_html(cls, config, key):
        lines = flatten(key["answer"])
        return "<pre>" + "\n".join(escape(line_text(line)) for line in lines) + "</pre>"

    # -- the widget ----------------------------------------------------------------
    def build_input(self):
        self.lines: list[tuple] = flatten(self.config["start"])
        self.grid = w.HTML()
        self.status = w.HTML()
        blocks = self.config["blocks"]
        palette = []
        for name in COMMANDS:
            if name in blocks:
                button = w.Button(description=COMMANDS[name].capitalize(), icon="plus")
                button.on_click(lambda _, name=name: self.add([(name, 0)]))
                palette.append(button)
        if "herhaal" in blocks:
            self.times = w.Dropdown(
                options=list(range(2, 11)),
                value=3,
                description=say("times"),
                layout=w.Layout(width="11em"),
            )
            self.times.style.description_width = "initial"
            self.repeat_button = w.Button(icon="plus")
            self.times.observe(self._label_repeat, "value")
            self._label_repeat()
            self.repeat_button.on_click(
                lambda _: self.add([("herhaal", 0, self.times.value), ("einde", 0)])
            )
            palette += [self.times, self.repeat_button]
        if "als-muur" in blocks:
            button = w.Button(description=say("if_wall"), icon="plus")
            button.on_click(lambda _: self.add([("als-muur", 0), ("anders", 0), ("einde", 0)]))
            palette.append(button)
        self.program = w.Select(
            options=[(say("start_line"), 0)],
            value=0,
            rows=10,
            description=say("program"),
            layout=w.Layout(width="28em"),
        )
        self.program.style.description_width = "initial"
        self.count = w.HTML()
        delete = w.Button(description=say("delete"), icon="trash")
        delete.on_click(lambda _: self.delete())
        actions = []
        for label, icon, handler in (
            ("run", "play", self.run_all),
            ("step", "step-forward", self.step),
            ("clear", "eraser", self.clear),
        ):
            button = w.Button(description=say(label), icon=icon)
            button.on_click(lambda _, handler=handler: handler())
            actions.append(button)
        self._redraw_program()
        self._show(None)
        editor = w.VBox(
            [
                w.HBox(palette, layout=w.Layout(flex_flow="row wrap")),
                w.HTML(f"<small>{say('help')}</small>"),
                self.program,
                w.HBox([delete, self.count]),
                w.HBox(actions),
            ]
        )
        return w.HBox(
            [w.VBox([self.grid, self.status]), editor],
            layout=w.Layout(flex_flow="row wrap"),
        )

    def _label_repeat(self, *_):
        self.repeat_button.description = say("repeat", n=self.times.value)

    def add(self, new_lines):
        at = self.program.value or 0
        self.lines[at:at] = new_lines
        self._changed(select=at + 1)

    def delete(self):
        index = (self.program.value or 0) - 1
        if index < 0:
            return
        start, end = block_span(self.lines, index)
        del self.lines[start:end]
        self._changed(select=start)

    def clear(self):
        self.lines = []
        self._changed(select=0)

    def _changed(self, select):
        self.lines = flatten(unflatten(self.lines))  # recompute depths
        self._redraw_program(select)
        self._show(None)
        self._save()

    def _redraw_program(self, select=0):
        options = [(say("start_line"), 0)]
        options += [
            (f"{n}. " + "\u00a0\u00a0\u00a0\u00a0" * line[1] + line_text(line), n)
            for n, line in enumerate(self.lines, 1)
        ]
        self.program.options = options
        self.program.value = min(select, len(self.lines))
        blocks = count_blocks(unflatten(self.lines))
        limit = self.config["max_blocks"]
        self.count.value = (
            say("blocks_max", n=blocks, max=limit) if limit else say("blocks", n=blocks)
        )
        self.trace = None

    def _trace(self):
        if self.trace is None:
            states, outcome = run(
                self.config["world"], unflatten(self.lines), self.config["max_steps"]
            )
            self.trace, self.outcome, self.position = states, outcome, 0
        return self.trace

    def _show(self, index, done=False):
        world = self.config["world"]
        states = self.trace if self.trace else [(*world["start"], 0)]
        index = 0 if index is None else index
        trail = [(r, c) for r, c, _, _ in states[1 : index + 1]]
        self.grid.value = svg(world, states[index], trail)
        row, col, heading, _ = states[index]
        text = say(
            "status", step=index, cell=cell_name(row, col, world["rows"]), heading=HEADINGS[heading]
        )
        if done:
            end = outcome_message(world, states, self.outcome, self.config["max_steps"])
            if self.outcome == "reached":
                end = say(
                    "reached", steps=len(states) - 1, blocks=count_blocks(unflatten(self.lines))
                )
            text += " " + end
        self.status.value = f"<p role='status' aria-live='polite'>{escape(text)}</p>"

    def run_all(self):
        states = self._trace()
        self.position = len(states) - 1
        self._show(self.position, done=True)

    def step(self):
        states = self._trace()
        if self.position >= len(states) - 1:
            self.position = 0  # start over
        else:
            self.position += 1
        self._show(self.position, done=self.position == len(states) - 1)

    def get_answer(self):
        return unflatten(self.lines) if self.lines else None

    def set_answer(self, answer):
        """Show the learner's program; without one, the author's start program (if any)."""
        try:
            program = normalize(answer, self.config["blocks"]) if answer else self.config["start"]
        except ProgramError:
            program = self.config["start"]
        self.lines = flatten(program)
        self._redraw_program(len(self.lines))
        self._show(None)


def line_text(line) -> str:
    token = line[0]
    if token in COMMANDS:
        return COMMANDS[token]
    return LINES[token].format(n=line[2] if len(line) > 2 else "")
