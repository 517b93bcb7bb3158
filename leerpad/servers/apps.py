"""The learner apps: a Voilà server that renders released modules and offers nothing else.

Voilà alone already refuses execute requests (only comm and info messages pass its kernel
websocket). On top of that we drop its directory tree and its contents listing: a pupil
gets the app behind the link, not a view of the server's folders.
"""

from voila.app import Voila

BLOCKED = ("/voila/tree", "/voila/api/contents")


class LearnerApps(Voila):
    name = "leerpad-apps"
    description = "leerpad: de leerling-apps (Voilà), zonder mappenoverzicht."

    def init_handlers(self):
        handlers = super().init_handlers()
        root = self.server_url
        return [h for h in handlers if h[0] != root and not any(b in h[0] for b in BLOCKED)]


main = LearnerApps.launch_instance

if __name__ == "__main__":
    main()
