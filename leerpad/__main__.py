import sys

from leerpad.cli import main

sys.exit(main())
