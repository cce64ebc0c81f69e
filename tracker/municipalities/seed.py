"""Demo data: the program's countries and its municipalities.

Municipalities are the real ones named in the program's public record.
Populations are rounded census figures, for illustration.
"""

from sqlalchemy.orm import Session

from tracker.models import Country, Municipality
from tracker.seed.common import get_or_create

PROGRAM_COUNTRIES = [
    ("AL", "Albania"),
    ("BA", "Bosnia and Herzegovina"),
    ("HR", "Croatia"),
    ("XK", "Kosovo"),
    ("MK", "North Macedonia"),
    ("ME", "Montenegro"),
    ("RS", "Serbia"),
]
# Countries that host program events without being program countries.
HOST_COUNTRIES = [("KR", "Korea, Republic of"), ("AT", "Austria"), ("SI", "Slovenia")]

# (country, name, region, population)
MUNICIPALITIES = [
    ("AL", "Kuçovë", "Berat County", 31_000),
    ("AL", "Elbasan", "Elbasan County", 141_000),
    ("AL", "Fier", "Fier County", 120_000),
    ("AL", "Lushnjë", "Fier County", 84_000),
    ("AL", "Berat", "Berat County", 60_000),
    ("AL", "Përmet", "Gjirokastër County", 10_600),
    ("AL", "Himarë", "Vlorë County", 7_800),
    ("AL", "Sarandë", "Vlorë County", 20_000),
    ("AL", "Gjirokastër", "Gjirokastër County", 28_700),
    ("AL", "Vlorë", "Vlorë County", 130_000),
    ("AL", "Shkodër", "Shkodër County", 135_000),
    ("AL", "Tirana", "Tirana County", 600_000),
    ("BA", "Zenica", "Zenica-Doboj Canton", 110_000),
    ("BA", "Sarajevo", "Sarajevo Canton", 275_000),
    ("BA", "Novo Sarajevo", "Sarajevo Canton", 64_000),
    ("BA", "Odžak", "Posavina Canton", 18_800),
    ("BA", "Orašje", "Posavina Canton", 19_800),
    ("BA", "Žepče", "Zenica-Doboj Canton", 30_200),
    ("BA", "Tuzla", "Tuzla Canton", 110_900),
    ("HR", "Križevci", "Koprivnica-Križevci County", 21_000),
    ("HR", "Rijeka", "Primorje-Gorski Kotar County", 108_600),
    ("HR", "Zagreb", "City of Zagreb", 767_000),
    ("XK", "Gjakova", "Gjakova District", 78_800),
    ("XK", "Istog", "Peja District", 39_300),
    ("XK", "Prishtina", "Prishtina District", 198_900),
    ("MK", "Gostivar", "Polog Region", 59_800),
    ("MK", "Vinica", "Eastern Region", 19_900),
    ("MK", "Skopje", "Skopje Region", 526_500),
    ("ME", "Herceg Novi", "Coastal Region", 30_900),
    ("ME", "Tivat", "Coastal Region", 14_000),
    ("ME", "Mojkovac", "Northern Region", 7_400),
    ("ME", "Pljevlja", "Northern Region", 24_100),
    ("ME", "Bijelo Polje", "Northern Region", 38_600),
    ("ME", "Kotor", "Coastal Region", 22_700),
    ("ME", "Budva", "Coastal Region", 27_400),
    ("ME", "Bar", "Coastal Region", 46_200),
    ("RS", "Boljevac", "Zaječar District", 11_000),
    ("RS", "Belgrade", "City of Belgrade", 1_197_700),
    ("RS", "Šabac", "Mačva District", 105_000),
    ("RS", "Pančevo", "South Banat District", 115_000),
    ("RS", "Niš", "Nišava District", 250_000),
    ("RS", "Subotica", "North Bačka District", 123_000),
]

# Contact details are illustrative; addresses use example domains.
CONTACT_DETAILS = {
    "Rijeka": {
        "website": "https://rijeka.example.org",
        "address": "Korzo 16, 51000 Rijeka",
        "email": "upp@rijeka.example.org",
        "phone": "+385 51 000 100",
    },
    "Belgrade": {
        "website": "https://beograd.example.org",
        "address": "Dragoslava Jovanovića 2, 11000 Belgrade",
        "email": "upp@beograd.example.org",
        "phone": "+381 11 000 200",
    },
    "Shkodër": {
        "website": "https://shkoder.example.org",
        "email": "finance@shkoder.example.org",
        "phone": "+355 22 000 300",
    },
}


def seed(session: Session) -> None:
    """Create the demo countries and municipalities that do not exist yet."""
    countries = {}
    for code, name in PROGRAM_COUNTRIES:
        countries[code] = get_or_create(
            session, Country, {"code": code}, name=name, is_program_country=True
        )
    for code, name in HOST_COUNTRIES:
        countries[code] = get_or_create(session, Country, {"code": code}, name=name)
    for code, name, region, population in MUNICIPALITIES:
        get_or_create(
            session,
            Municipality,
            {"country_id": countries[code].id, "name": name},
            region=region,
            population=population,
            **CONTACT_DETAILS.get(name, {}),
        )
