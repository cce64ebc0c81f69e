"""The vocabulary the scale generator draws its made-up names from (data)."""

from __future__ import annotations

COUNTRIES = [
    ("AL", "Albania"),
    ("BA", "Bosnia and Herzegovina"),
    ("HR", "Croatia"),
    ("XK", "Kosovo"),
    ("MK", "North Macedonia"),
    ("ME", "Montenegro"),
    ("RS", "Serbia"),
    ("SI", "Slovenia"),
    ("BG", "Bulgaria"),
    ("RO", "Romania"),
    ("GR", "Greece"),
    ("HU", "Hungary"),
    ("MD", "Moldova"),
    ("UA", "Ukraine"),
    ("GE", "Georgia"),
    ("AM", "Armenia"),
    ("AT", "Austria"),
    ("KR", "Korea"),
    ("TR", "Türkiye"),
    ("PL", "Poland"),
]


SYLLABLES = [
    "bel",
    "gra",
    "do",
    "ri",
    "je",
    "ka",
    "no",
    "vi",
    "ca",
    "za",
    "gor",
    "lje",
    "pol",
    "ski",
    "sta",
    "mir",
    "ova",
    "dra",
    "šab",
    "niš",
    "kuç",
    "ova",
    "tiv",
    "bar",
    "ste",
    "lan",
    "ber",
    "zen",
]


FIRST = [
    "Ana",
    "Marko",
    "Ivana",
    "Luka",
    "Jelena",
    "Arben",
    "Elena",
    "Petar",
    "Sara",
    "Driton",
    "Amra",
    "Nikola",
    "Blerim",
    "Marija",
    "Dragan",
    "Edona",
]


LAST = [
    "Horvat",
    "Marković",
    "Hoxha",
    "Novak",
    "Krasniqi",
    "Hadžić",
    "Ilić",
    "Berisha",
    "Stojanovska",
    "Vuković",
    "Radović",
    "Perić",
    "Duraj",
    "Kovač",
]


PROGRAMS = {
    "ACP": (
        "Cities without Corruption – Cities with a Future",
        [
            "ready_to_join",
            "diagnosis",
            "solution_formulation",
            "implementation",
            "completed",
        ],
    ),
    "ILTP": (
        "Integrity Leadership Training Program",
        ["ready_to_join", "in_training", "completed"],
    ),
    "MFSA": (
        "Municipal Finance Self-Assessment",
        ["ready_to_join", "self_assessment", "action_plan", "completed"],
    ),
}
