"""Synthetic fact bases of a given size, valid under `esra check`, for the benchmark."""

from __future__ import annotations

import random
from pathlib import Path

from esra_cli.kinds import KINDS
from esra_cli.store import block

SYLLABLES = [c + v for c in "bcdfglmnrstvz" for v in "aeio"]
# Every record cites one real source with a real quote, as `esra check` requires.
CITE = {
    "sources": ["ansa-2024-11-08"],
    "quotes": {"ansa-2024-11-08": "Regione Lombardia ufficializza l'ingresso"},
}
CONFIRMED = {"confirmed": "2024-11-08", "confirmed_by": ["ansa-2024-11-08"]}


def held_by(name: str, field: str) -> dict[str, object]:
    """A membership's or post's citation: a quote that names who holds it, cited for its date."""
    source = "ansa-2024-11-08"
    return {
        "sources": [source],
        "quotes": {source: f"{name} ufficializza l'ingresso"},
        "cite": {field: [source]},
    }


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def build(path: Path, entities: int, seed: int = 1) -> list[str]:
    """Write a base with about `entities` entities; return the surnames of its people."""
    rng = random.Random(seed)
    shipped = (Path(__file__).resolve().parent.parent / "facts.toml").read_text(encoding="utf-8")
    people = int(entities * 0.5)
    regions = int(entities * 0.3)
    orgs = max(1, int(entities * 0.05))
    places = entities - people - regions - orgs
    chunks = [shipped]
    surnames = []
    for n in range(orgs):
        name = f"{word(rng, 3)} Alliance {n}"
        chunks.append(
            block(
                KINDS["organizations"],
                {
                    "id": f"org-{n}",
                    "name": {"it": name, "en": name},
                    "kind": "alliance",
                    **CITE,
                },
            )
        )
    for n in range(regions):
        name = f"{word(rng, 3)} {n}"
        chunks.append(
            block(
                KINDS["regions"],
                {
                    "id": f"region-{n}",
                    "name": {"it": name, "en": name},
                    "country": "IT",
                    **CITE,
                },
            )
        )
        chunks.append(
            block(
                KINDS["memberships"],
                {
                    "id": f"membership-{n}",
                    "region": f"region-{n}",
                    "organization": f"org-{n % orgs}",
                    "role": "member",
                    "since": "2024-11-08",
                    **CONFIRMED,
                    **held_by(name, "since"),
                },
            )
        )
    for n in range(places):
        name = f"{word(rng, 2)}ville {n}"
        chunks.append(
            block(
                KINDS["places"],
                {
                    "id": f"place-{n}",
                    "name": {"it": name, "en": name},
                    "kind": "city",
                    "country": "IT",
                    **CITE,
                },
            )
        )
    for n in range(people):
        surname = f"{word(rng, 3)}{n}"
        surnames.append(surname)
        name = f"{word(rng, 2)} {surname}"
        chunks.append(block(KINDS["people"], {"id": f"person-{n}", "name": name, **CITE}))
        chunks.append(
            block(
                KINDS["positions"],
                {
                    "id": f"position-{n}",
                    "person": f"person-{n}",
                    "title": {"it": "assessore", "en": "minister"},
                    "region": f"region-{n % max(1, regions)}",
                    "start": "2024-01",
                    **CONFIRMED,
                    **held_by(name, "start"),
                },
            )
        )
    path.write_text("\n".join(chunks), encoding="utf-8")
    return surnames
