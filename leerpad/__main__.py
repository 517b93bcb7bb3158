from leerpad.cli import run

run()
