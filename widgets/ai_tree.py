"""Tree builder: the learner builds a decision tree by hand on a small table, picking one
question per node from a list, and sees how many rows it classifies right. A button lets
scikit-learn learn a tree of the same depth from the same table, with the same questions.

The author gives the table (``kolommen``, ``rijen``; the last column is what the tree must
predict) and the depth. The questions follow from the table: ``kolom = waarde?`` for a column
of words, ``kolom ≤ grens?`` for a column of numbers. A leaf predicts what most of its rows
are. The key is the number of rows the tree must get right; ``leerpad check`` tells the
author when no tree of that depth can do it.
"""

import ipywidgets as w

from leerpad.i18n import phrases

from .base import Exercise, ExerciseConfigError, Result, escape, require
from .helpers import status_line

say = phrases("tree")


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value):
    return f"{value:g}".replace(".", ",")


def questions(columns, rows) -> list[dict]:
    """Every question the learner may ask: {text, column, value, kind}."""
    found = []
    for c, name in enumerate(columns[:-1]):
        values = [row[c] for row in rows]
        if all(_number(v) for v in values):
            distinct = sorted(set(values))
            for low, high in zip(distinct, distinct[1:], strict=False):
                limit = (low + high) / 2
                found.append(
                    {"text": f"{name} ≤ {_fmt(limit)}?", "column": c, "value": limit, "op": "le"}
                )
        else:
            distinct = list(dict.fromkeys(str(v) for v in values))
            if len(distinct) == 2:  # one question is enough: the other is its "no"
                distinct = ["ja"] if "ja" in distinct else distinct[:1]
            for value in distinct:
                found.append(
                    {"text": f"{name} = {value}?", "column": c, "value": value, "op": "eq"}
                )
    return found


def asks(question, row) -> bool:
    value = row[question["column"]]
    if question["op"] == "le":
        return value <= question["value"]
    return str(value) == question["value"]


def majority(labels, order):
    """The most common label; a tie goes to the label first in the table."""
    counts = {label: labels.count(label) for label in order}
    best = max(counts.values()) if labels else 0
    return next(label for label in order if counts[label] == best), counts


def children(path):
    return path + "j", path + "n"


def leaves(tree, config, path="", rows=None):
    """(path, rows) for every leaf of `tree` ({path: question text or None})."""
    rows = list(range(len(config["rows"]))) if rows is None else rows
    text = tree.get(path) if len(path) < config["max_depth"] else None
    if not text:
        return [(path, rows)]
    question = config["by_text"][text]
    yes = [i for i in rows if asks(question, config["rows"][i])]
    no = [i for i in rows if not asks(question, config["rows"][i])]
    yes_path, no_path = children(path)
    return leaves(tree, config, yes_path, yes) + leaves(tree, config, no_path, no)


def predictions(tree, config) -> dict[int, str]:
    """Row index -> predicted label."""
    found = {}
    for _, rows in leaves(tree, config):
        label, _ = majority([config["rows"][i][-1] for i in rows], config["labels"])
        found.update(dict.fromkeys(rows, label))
    return found


def correct(tree, config) -> int:
    predicted = predictions(tree, config)
    return sum(predicted[i] == row[-1] for i, row in enumerate(config["rows"]))


def best_tree(config, rows=None, depth=None, path="") -> tuple[int, dict]:
    """(rows right, tree) of a tree of the depth that gets the most rows right: an exact
    search, fine for the small tables of a lesson."""
    rows = list(range(len(config["rows"]))) if rows is None else rows
    depth = config["max_depth"] if depth is None else depth
    _, counts = majority([config["rows"][i][-1] for i in rows], config["labels"])
    top, tree = (max(counts.values()) if rows else 0), {}
    if depth == 0 or top == len(rows):
        return top, tree
    yes_path, no_path = children(path)
    for question in config["questions"]:
        yes = [i for i in rows if asks(question, config["rows"][i])]
        if yes and len(yes) < len(rows):
            no = [i for i in rows if i not in yes]
            right_yes, tree_yes = best_tree(config, yes, depth - 1, yes_path)
            right_no, tree_no = best_tree(config, no, depth - 1, no_path)
            if right_yes + right_no > top:
                top = right_yes + right_no
                tree = {path: question["text"], **tree_yes, **tree_no}
    return top, tree


def best(config) -> int:
    return best_tree(config)[0]


def learned_tree(config) -> dict:
    """The tree scikit-learn's DecisionTreeClassifier learns from the table, written with
    the learner's questions (each question is one yes/no feature)."""
    from sklearn.tree import DecisionTreeClassifier

    features = [[asks(q, row) for q in config["questions"]] for row in config["rows"]]
    labels = [row[-1] for row in config["rows"]]
    model = DecisionTreeClassifier(max_depth=config["max_depth"], random_state=0)
    model.fit(features, labels)
    inner = model.tree_
    tree = {}

    def walk(node, path):
        if inner.children_left[node] == inner.children_right[node]:  # a leaf
            return
        tree[path] = config["questions"][inner.feature[node]]["text"]
        yes, no = children(path)
        walk(inner.children_right[node], yes)  # feature > 0.5: the answer is yes
        walk(inner.children_left[node], no)

    walk(0, "")
    return tree


def path_words(path, tree):
    """'ja bij "X?", dan nee bij "Y?"' for a node's path, for labels and screen readers."""
    words, node = [], ""
    for step in path:
        words.append(f"{say('yes' if step == 'j' else 'no')} op '{tree.get(node, '?')}'")
        node += step
    return ", dan ".join(words)


def tree_html(tree, config, path="", rows=None) -> str:
    """The tree as nested lists: questions, branches and leaves with their rows."""
    rows = list(range(len(config["rows"]))) if rows is None else rows
    text = tree.get(path) if len(path) < config["max_depth"] else None
    if not text:
        if not rows:
            return f"<em>{say('empty_leaf')}</em>"
        label, counts = majority([config["rows"][i][-1] for i in rows], config["labels"])
        shown = ", ".join(f"{n} {escape(lab)}" for lab, n in counts.items() if n)
        return f"<strong>{escape(say('leaf', label=label, n=len(rows), counts=shown))}</strong>"
    question = config["by_text"][text]
    yes = [i for i in rows if asks(question, config["rows"][i])]
    no = [i for i in rows if i not in yes]
    yes_path, no_path = children(path)
    return (
        f"{escape(text)}<ul>"
        f"<li>{say('yes')}: {tree_html(tree, config, yes_path, yes)}</li>"
        f"<li>{say('no')}: {tree_html(tree, config, no_path, no)}</li></ul>"
    )


class TreeBuilder(Exercise):
    """A decision tree built by hand: pick a question per node; scored on rows right."""

    kind = "beslisboom"
    fields = {"kolommen": "columns", "rijen": "rows", "max-diepte": "max_depth"}

    @classmethod
    def validate(cls, exercise_id, config):
        columns = require(exercise_id, config, "columns", list, "geef de namen van de kolommen.")
        rows = require(exercise_id, config, "rows", list, "geef de rijen van de tabel.")
        if len(columns) < 2 or len(set(map(str, columns))) != len(columns):
            raise ExerciseConfigError(
                exercise_id, "columns", "geef minstens twee kolommen met elk een eigen naam."
            )
        if not 2 <= len(rows) <= 30:
            raise ExerciseConfigError(exercise_id, "rows", "geef 2 tot 30 rijen.")
        for n, row in enumerate(rows, 1):
            if not isinstance(row, list) or len(row) != len(columns):
                raise ExerciseConfigError(
                    exercise_id, "rows", f"rij {n} heeft niet {len(columns)} waarden."
                )
        rows = [[v if _number(v) else str(v) for v in row[:-1]] + [str(row[-1])] for row in rows]
        depth = config.get("max_depth", 2)
        if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= 3:
            raise ExerciseConfigError(exercise_id, "max_depth", "moet 1, 2 of 3 zijn.")
        columns = [str(c) for c in columns]
        found = questions(columns, rows)
        if not found:
            raise ExerciseConfigError(exercise_id, "rows", "geen kolom geeft een vraag.")
        labels = list(dict.fromkeys(row[-1] for row in rows))
        return {
            **config,
            "columns": columns,
            "rows": rows,
            "max_depth": depth,
            "questions": found,
            "by_text": {q["text"]: q for q in found},
            "labels": labels,
        }

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        need = key.get("answer")
        if not isinstance(need, int) or isinstance(need, bool) or need < 1:
            raise ExerciseConfigError(
                exercise_id, "answer", "geef het aantal rijen dat de boom juist moet zetten."
            )
        top = best(config)
        if need > top:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                f"geen boom van diepte {config['max_depth']} zet {need} rijen juist.",
                f"de beste haalt {top}: vraag hoogstens {top}.",
            )
        return {"answer": need}

    @classmethod
    def clean(cls, config, answer) -> dict:
        if not isinstance(answer, dict):
            raise ValueError("geen boom")
        tree = {}
        for path, text in answer.items():
            if not isinstance(path, str) or set(path) - {"j", "n"}:
                raise ValueError(f"tak {path!r}")
            if text is not None and text not in config["by_text"]:
                raise ValueError(f"vraag {text!r}")
            if len(path) < config["max_depth"] and text:
                tree[path] = text
        # a node under a leaf is never reached: keep only the nodes whose ancestors ask
        return {p: t for p, t in tree.items() if all(p[:i] in tree for i in range(len(p)))}

    @classmethod
    def evaluate(cls, config, key, answer):
        try:
            tree = cls.clean(config, answer)
        except (TypeError, ValueError):
            return Result(0.0, [say("bad")])
        right, total, need = correct(tree, config), len(config["rows"]), key["answer"]
        message = say("right", right=right, total=total)
        if right >= need:
            return Result(1.0, [message, say("enough", need=need)])
        return Result(0.0, [message, say("need", need=need, total=total)])

    @classmethod
    def solution_html(cls, config, key):
        top, tree = best_tree(config)
        text = escape(say("solution", best=top, total=len(config["rows"])))
        return f"{text}<div class='leerpad-tree'>{tree_html(tree, config)}</div>"

    # -- the widget ----------------------------------------------------------------
    def build_input(self):
        self.tree: dict = {}
        self.touched = False
        asked = [(q["text"], q["text"]) for q in self.config["questions"]]
        options = [(say("leaf_choice"), None), *asked]
        self.pickers = {}
        paths, level = [""], [""]
        for _ in range(self.config["max_depth"] - 1):
            level = [p + step for p in level for step in "jn"]
            paths += level
        for path in paths:
            picker = w.Dropdown(options=options, value=None, layout=w.Layout(width="auto"))
            picker.style.description_width = "initial"
            picker.observe(lambda change, path=path: self._picked(path, change["new"]), "value")
            self.pickers[path] = picker
        self.drawing = w.HTML()
        self.table = w.HTML()
        self.status = w.HTML()
        learn = w.Button(description=say("learn"), icon="cogs")
        learn.on_click(lambda _: self.learn())
        self.learned = w.HTML()
        self._paint()
        return w.VBox(
            [*self.pickers.values(), self.status, self.drawing, self.table, learn, self.learned]
        )

    def _picked(self, path, text):
        if getattr(self, "_painting", False):
            return
        self.tree[path] = text
        self.touched = True
        self._paint()
        self._save()

    def learn(self):
        tree = learned_tree(self.config)
        right, total = correct(tree, self.config), len(self.config["rows"])
        depth = self.config["max_depth"]
        summary = status_line(say("learned", depth=depth, right=right, total=total))
        self.learned.value = (
            f"<div class='leerpad-tree'>{summary}{tree_html(tree, self.config)}"
            f"<p>{escape(say('learned_note'))}</p></div>"
        )

    def _paint(self):
        self._painting = True
        try:
            tree = self.clean(self.config, self.tree)
            for path, picker in self.pickers.items():
                open_ = all(tree.get(path[:i]) for i in range(len(path)))  # its ancestors ask
                picker.value = tree.get(path) if open_ else None
                picker.disabled = not open_
                picker.description = (
                    say("node_root") if not path else say("node", path=path_words(path, tree))
                )
                picker.layout.display = None if open_ else "none"
        finally:
            self._painting = False
        self.tree = {p: t for p, t in self.tree.items() if p in tree}
        right, total = correct(tree, self.config), len(self.config["rows"])
        self.status.value = status_line(say("right", right=right, total=total))
        drawn = tree_html(tree, self.config)
        self.drawing.value = f"<div class='leerpad-tree'><p>{say('your_tree')}:</p>{drawn}</div>"
        predicted = predictions(tree, self.config)
        head = "".join(f"<th scope='col'>{escape(c)}</th>" for c in self.config["columns"])
        body = []
        for i, row in enumerate(self.config["rows"]):
            cells = "".join(f"<td>{escape(_fmt(v) if _number(v) else v)}</td>" for v in row)
            ok = predicted[i] == row[-1]
            body.append(
                f"<tr>{cells}<td>{escape(predicted[i])}</td>"
                f"<td>{say('tick') if ok else say('cross')}</td></tr>"
            )
        self.table.value = (
            f"<table class='leerpad-table'><caption>{say('table_caption')}</caption>"
            f"<tr>{head}<th scope='col'>{say('prediction')}</th>"
            f"<th scope='col'>{say('ok')}</th></tr>" + "".join(body) + "</table>"
        )

    def get_answer(self):
        if not self.touched:
            return None
        return dict(self.clean(self.config, self.tree))

    def set_answer(self, answer):
        if answer is None:
            self.tree, self.touched = {}, False
        else:
            self.tree, self.touched = self.clean(self.config, answer), True
        self._paint()
