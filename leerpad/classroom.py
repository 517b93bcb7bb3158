"""Classroom mode (``leerpad start --classroom``): the learner apps and the site answer on
the laptop's Wi-Fi address, over HTTPS with a certificate of their own; the trainer's
workspace, the learner's JupyterLab and the grading service stay on 127.0.0.1. Also the
class links as QR codes, for the terminal and the trainer's page."""

import datetime
import io
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
ANY = "0.0.0.0"
CERT_DAYS = 365


class ClassroomError(RuntimeError):
    pass


@dataclass(frozen=True)
class Network:
    """Where the servers a learner uses (apps, site) listen, and how links reach them.
    The default is the laptop on its own: everything on 127.0.0.1, plain HTTP."""

    bind: str = LOOPBACK
    host: str = LOOPBACK  # the address in links: the LAN address when bound to 0.0.0.0
    certfile: str = ""
    keyfile: str = ""

    @property
    def scheme(self) -> str:
        return "https" if self.certfile else "http"

    def url(self, port: int) -> str:
        return f"{self.scheme}://{self.host}:{port}"

    def reach(self) -> str:
        """An address on which a client of this machine reaches the public servers."""
        return LOOPBACK if self.bind == ANY else self.bind


LAPTOP = Network()  # the laptop on its own, as `leerpad start` without --classroom


def lan_address() -> str | None:
    """The address this machine uses towards the network (the school's Wi-Fi), or None.
    A UDP 'connect' sends nothing: it only asks the kernel which source address a packet
    to elsewhere would get."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address


def classroom_network(
    host: str | None, https: bool, certfile: str, keyfile: str, cert_dir: Path
) -> tuple[Network, list[str]]:
    """The network of a classroom start and what the trainer must read about it (Dutch)."""
    bind = host or lan_address()
    if not bind:
        raise ClassroomError(
            "leerpad start --classroom: deze laptop heeft geen netwerkadres (alleen 127.0.0.1). "
            "Oplossing: verbind de laptop met de wifi van de school, of geef het adres met "
            "--host <adres>, bv. --host 192.168.1.20."
        )
    try:
        address = ipaddress.IPv4Address(bind)
    except ValueError:
        raise ClassroomError(
            f"leerpad start --classroom --host {bind}: dat is geen IPv4-adres. Oplossing: geef "
            "het adres van de laptop op de wifi (zie 'ip -4 addr'), bv. --host 192.168.1.20, "
            "of --host 0.0.0.0 voor elk netwerk van de laptop."
        ) from None
    with socket.socket() as s:
        try:
            s.bind((bind, 0))
        except OSError:
            raise ClassroomError(
                f"leerpad start --classroom --host {bind}: dat adres hoort niet bij deze laptop. "
                "Oplossing: kies een adres uit 'ip -4 addr' (dat van de wifi), of laat --host "
                "weg: dan kiest leerpad het zelf."
            ) from None
    link_host = bind
    if bind == ANY:
        link_host = lan_address()
        if not link_host:
            raise ClassroomError(
                "leerpad start --classroom --host 0.0.0.0: de links hebben een adres nodig dat "
                "de leerlingen bereiken, maar de laptop heeft geen netwerkadres. Oplossing: "
                "verbind met de wifi, of geef het adres zelf met --host <adres>."
            )
    if bool(certfile) != bool(keyfile):
        raise ClassroomError(
            "leerpad start --classroom: --certfile en --keyfile horen samen. Oplossing: geef "
            "ze samen (het certificaat en zijn sleutel, PEM-bestanden), of geen van beide: dan "
            "maakt leerpad er zelf een."
        )
    for given in (certfile, keyfile):
        if given and not Path(given).is_file():
            raise ClassroomError(
                f"leerpad start --classroom: het bestand {given} bestaat niet. Oplossing: geef "
                "het pad van je certificaat (--certfile) en sleutel (--keyfile)."
            )
    notes = []
    if https and not certfile:
        try:
            certfile, keyfile = (str(p) for p in self_signed(cert_dir, link_host))
            notes.append(SELF_SIGNED_NOTE)
        except (OSError, ValueError) as error:
            notes.append(f"Geen certificaat gemaakt in {cert_dir} ({error}).")
            https = False
    if not https:
        certfile = keyfile = ""
        notes.append(UNENCRYPTED_WARNING)
    if address.is_loopback:
        notes.append(
            f"Let op: {bind} is een adres van deze laptop zelf; andere toestellen bereiken het "
            "niet."
        )
    return Network(bind, link_host, certfile, keyfile), notes


SELF_SIGNED_NOTE = (
    "HTTPS met een certificaat dat deze laptop zelf maakte: de browser van elke leerling "
    "waarschuwt de eerste keer ('Je verbinding is niet privé' of 'Deze verbinding is niet "
    "privé'). Laat de leerling tikken op 'Geavanceerd' en dan 'Doorgaan naar ... (onveilig)' "
    "(Safari: 'Toon details' en dan 'bezoek deze website'); de website (een andere poort) kan "
    "het nog eens vragen. De verbinding is dan wel versleuteld. Geen waarschuwing: geef een "
    "certificaat van de school met --certfile en --keyfile."
)
UNENCRYPTED_WARNING = (
    "WAARSCHUWING: zonder HTTPS gaan de antwoorden, schuilnamen en codes van de leerlingen "
    "onversleuteld over de wifi: wie op hetzelfde netwerk meeluistert, kan ze lezen. Start "
    "zonder --no-https (leerpad maakt dan zelf een certificaat) of geef --certfile en --keyfile."
)


def self_signed(folder: Path, address: str) -> tuple[Path, Path]:
    """A certificate for ``address`` and its key in ``folder`` (made once; made again for
    another address or when it expires within a month). The key is readable by the trainer
    alone, beside the cohort's other keys."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path, key_path = folder / "klaslokaal.crt", folder / "klaslokaal.key"
    now = datetime.datetime.now(datetime.UTC)
    ip = ipaddress.IPv4Address(address)
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        fresh = cert.not_valid_after_utc - now > datetime.timedelta(days=30)
        if fresh and ip in names.get_values_for_type(x509.IPAddress):
            return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"leerpad klaslokaal {address}")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_context(certfile: str, keyfile: str):
    """The TLS context of a learner-facing server (Tornado's ssl_options take it too)."""
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return context


def qr_terminal(link: str) -> str:
    """The link as a QR code of text blocks, to scan from the trainer's screen."""
    import segno

    out = io.StringIO()
    segno.make(link, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def qr_svg(link: str, title: str) -> str:
    """The link as an inline SVG QR code (for the trainer's page, to show on a projector)."""
    import segno

    return segno.make(link, error="m").svg_inline(scale=5, border=2, title=title)
