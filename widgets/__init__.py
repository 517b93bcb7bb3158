"""leerpad's exercise widgets: H5P-like exercise types on ipywidgets, graded by nbgrader.

Authors write, for example::

    from leerpad.widgets import SingleChoice
    SingleChoice(id="ct01-recept", question="...", options=[...], answer="...", points=1)

and, in the hidden tests cell that nbgrader grades::

    score("ct01-recept")
"""

from leerpad.equality import bijna_gelijk, gelijk

from .base import TYPES, Exercise, ExerciseConfigError, Result
from .choice import MultipleChoice, SingleChoice, TrueFalse
from .order import Ordering
from .session import score, session
from .text import FillInTheBlanks, NumericAnswer, OpenAnswer

# isort: split
# H5P-like types
from .cards import Flashcards
from .coding import CodeExercise
from .media import FindTheHotspot, ImageHotspots, InteractiveVideo
from .pairs import Categorize, Matching
from .scenario import BranchingScenario
from .sets import QuestionSet
from .words import DragTheWords, MarkTheWords

# isort: split
# computational thinking
from .bebras import BebrasTask
from .pixels import PixelEditor
from .robot import GridRobot
from .steps import StepCounter

# isort: split
# artificial intelligence: the learner trains the model
from .ai_bias import BiasTrainer
from .ai_digits import DigitRecognition
from .ai_knn import KnnPlayground
from .ai_ngram import TextGenerator
from .ai_overfit import OverfitExplorer
from .ai_tree import TreeBuilder

# isort: split
# extended reality: a 3D scene and a 360° viewer
from .panorama import Panorama360
from .ruimte import Scene3D

__all__ = [
    "bijna_gelijk",
    "gelijk",
    "TYPES",
    "Exercise",
    "ExerciseConfigError",
    "FillInTheBlanks",
    "MultipleChoice",
    "NumericAnswer",
    "OpenAnswer",
    "Ordering",
    "Result",
    "SingleChoice",
    "TrueFalse",
    "score",
    "session",
    "BranchingScenario",
    "Categorize",
    "CodeExercise",
    "DragTheWords",
    "FindTheHotspot",
    "Flashcards",
    "ImageHotspots",
    "InteractiveVideo",
    "MarkTheWords",
    "Matching",
    "QuestionSet",
    "BebrasTask",
    "GridRobot",
    "PixelEditor",
    "StepCounter",
    "BiasTrainer",
    "DigitRecognition",
    "TextGenerator",
    "KnnPlayground",
    "OverfitExplorer",
    "TreeBuilder",
    "Panorama360",
    "Scene3D",
]
